/**
 * v2 event destinations of the stand-in (JSON bodies, v2 list shape `{ data, next_page_url,
 * previous_page_url }`): create, list, retrieve, update and delete under `/v2/core/event_destinations`.
 * As at Stripe, `webhook_endpoint.url` and `webhook_endpoint.signing_secret` are includable: without
 * `include` they answer null. The signing secret (whsec_…) exists only in the create answer, and only
 * when `include: ["webhook_endpoint.signing_secret"]` asked for it; list, retrieve and update include
 * only the URL. `put(eventDestination(…))` (account-objects.ts) stores one directly.
 */
import { invalidRequest, parameterMissing, type Reply } from './errors';
import type { ObjectStore } from './store';
import { isRecord, randomId, type StripeObject } from './util';

const TYPE = 'v2.core.event_destination';
const BASE = '/v2/core/event_destinations';
const URL_FIELD = 'webhook_endpoint.url';
const SECRET_FIELD = 'webhook_endpoint.signing_secret';

/** Answers an event destination request; undefined when the request is not one. */
export function eventDestinationRoute(
  req: { method: string; path: string; query: Record<string, unknown>; body: Record<string, unknown> },
  store: ObjectStore,
): Reply | undefined {
  if (req.path === BASE) {
    if (req.method === 'POST') return ok(create(req.body, store));
    if (req.method === 'GET') return ok(list(req.query, store));
    return undefined;
  }
  const match = new RegExp(`^${BASE}/([^/]+)$`).exec(req.path);
  if (!match) return undefined;
  const stored = store.retrieve(TYPE, match[1]);
  if (req.method === 'GET') return ok(render(stored, includes(req.query.include)));
  if (req.method === 'POST') return ok(render(update(stored, req.body, store), includes(req.body.include)));
  if (req.method === 'DELETE') {
    store.remove(stored.id);
    return ok({ id: stored.id, object: TYPE, deleted: true });
  }
  return undefined;
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function create(body: Record<string, unknown>, store: ObjectStore): StripeObject {
  for (const field of ['name', 'type', 'event_payload'])
    if (typeof body[field] !== 'string' || !body[field]) throw parameterMissing(field);
  const events = eventTypes(body.enabled_events);
  if (body.event_payload !== 'thin' && body.event_payload !== 'snapshot')
    throw invalidRequest('event_payload must be "thin" or "snapshot".', 'event_payload');
  if (body.type !== 'webhook_endpoint')
    throw invalidRequest('The stand-in only creates destinations of type "webhook_endpoint".', 'type');
  const endpoint = isRecord(body.webhook_endpoint) ? body.webhook_endpoint : {};
  if (typeof endpoint.url !== 'string' || !endpoint.url) throw parameterMissing('webhook_endpoint.url');
  const now = new Date().toISOString();
  const destination: StripeObject = {
    id: randomId('ed', 24),
    object: TYPE,
    created: now,
    updated: now,
    description: typeof body.description === 'string' ? body.description : '',
    enabled_events: events,
    event_payload: body.event_payload,
    events_from: Array.isArray(body.events_from) ? body.events_from : ['@self'],
    livemode: false,
    metadata: isRecord(body.metadata) ? body.metadata : {},
    name: body.name,
    snapshot_api_version: body.event_payload === 'snapshot' ? (body.snapshot_api_version ?? null) : null,
    status: 'enabled',
    status_details: null,
    type: 'webhook_endpoint',
    webhook_endpoint: { signing_secret: null, url: endpoint.url },
  };
  store.put(destination);
  const shown = render(destination, includes(body.include, true));
  if (includes(body.include, true).has(SECRET_FIELD))
    (shown.webhook_endpoint as Record<string, unknown>).signing_secret = randomId('whsec', 32);
  return shown;
}

function update(stored: StripeObject, body: Record<string, unknown>, store: ObjectStore): StripeObject {
  const next: StripeObject = { ...stored, updated: new Date().toISOString() };
  if (body.enabled_events !== undefined) next.enabled_events = eventTypes(body.enabled_events);
  for (const field of ['name', 'description'] as const) if (typeof body[field] === 'string') next[field] = body[field];
  if (isRecord(body.metadata)) next.metadata = { ...(stored.metadata as object), ...body.metadata };
  if (isRecord(body.webhook_endpoint) && typeof body.webhook_endpoint.url === 'string')
    next.webhook_endpoint = { signing_secret: null, url: body.webhook_endpoint.url };
  store.put(next);
  return next;
}

/**
 * One page, oldest first. `page` is the offset this stand-in put in `next_page_url`, which carries the
 * other parameters too: the SDK follows that URL as it is.
 */
function list(query: Record<string, unknown>, store: ObjectStore): Record<string, unknown> {
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw invalidRequest('limit must be between 1 and 100.', 'limit');
  const offset = query.page === undefined ? 0 : Number(query.page);
  const all = store.all(TYPE).reverse();
  const shown = includes(query.include);
  const next = new URLSearchParams({ page: String(offset + limit), limit: String(limit) });
  [...shown].forEach((field, i) => next.append(`include[${i}]`, field));
  return {
    data: all.slice(offset, offset + limit).map((d) => render(d, shown)),
    next_page_url: offset + limit < all.length ? `${BASE}?${next.toString()}` : null,
    previous_page_url: null,
  };
}

/** The destination as Stripe shows it: includable fields null unless included. */
function render(stored: StripeObject, shown: Set<string>): StripeObject {
  const endpoint = isRecord(stored.webhook_endpoint) ? stored.webhook_endpoint : {};
  return {
    ...stored,
    webhook_endpoint: { signing_secret: null, url: shown.has(URL_FIELD) ? (endpoint.url ?? null) : null },
  };
}

/** The `include` values; only the create request may include the signing secret. */
function includes(value: unknown, creating = false): Set<string> {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  for (const field of list) {
    if (field !== URL_FIELD && !(creating && field === SECRET_FIELD))
      throw invalidRequest(`include: ${String(field)} cannot be included here.`, 'include');
  }
  return new Set(list as string[]);
}

function eventTypes(value: unknown): string[] {
  const list = Array.isArray(value) ? value.filter((e): e is string => typeof e === 'string' && e.length > 0) : [];
  if (!list.length) throw parameterMissing('enabled_events');
  return list;
}
