/**
 * Webhook endpoint writes of the stand-in, as Stripe answers them (form-encoded v1):
 * `POST /v1/webhook_endpoints` creates one (the `secret` whsec_… is in this answer only; `api_version`
 * is fixed here, null = the account default), `GET /v1/webhook_endpoints/:id` retrieves it,
 * `POST /v1/webhook_endpoints/:id` updates `description`, `disabled`, `enabled_events`, `metadata`, `url`
 * (never `api_version`: Stripe refuses it like any unknown parameter), `DELETE` removes it. An account
 * holds at most 16 endpoints. The list is in account-routes.ts.
 */
import { invalidRequest, parameterMissing, type Reply } from './errors';
import type { ObjectStore } from './store';
import { isRecord, nowSeconds, randomId, type StripeObject } from './util';

const TYPE = 'webhook_endpoint';
const MAX_ENDPOINTS = 16;
const CREATE_PARAMS = new Set(['url', 'enabled_events', 'api_version', 'connect', 'description', 'metadata']);
const UPDATE_PARAMS = new Set(['url', 'enabled_events', 'description', 'disabled', 'metadata']);

/** Answers a webhook endpoint write or retrieve; undefined when the request is not one. */
export function webhookEndpointRoute(
  req: { method: string; path: string; body: Record<string, unknown> },
  store: ObjectStore,
): Reply | undefined {
  if (req.path === '/v1/webhook_endpoints' && req.method === 'POST') return ok(create(req.body, store));
  const match = /^\/v1\/webhook_endpoints\/([^/]+)$/.exec(req.path);
  if (!match) return undefined;
  const id = match[1];
  if (req.method === 'GET') return ok(store.retrieve(TYPE, id));
  if (req.method === 'POST') return ok(update(store.retrieve(TYPE, id), req.body, store));
  if (req.method === 'DELETE') {
    store.retrieve(TYPE, id); // 404 when unknown
    store.remove(id);
    return ok({ id, object: TYPE, deleted: true });
  }
  return undefined;
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function create(params: Record<string, unknown>, store: ObjectStore): StripeObject {
  refuseUnknown(params, CREATE_PARAMS);
  if (typeof params.url !== 'string' || !params.url) throw parameterMissing('url');
  const events = enabledEvents(params.enabled_events);
  if (!events) throw parameterMissing('enabled_events');
  if (store.all(TYPE).length >= MAX_ENDPOINTS)
    throw invalidRequest(`You have reached the maximum of ${MAX_ENDPOINTS} test webhook endpoints.`, 'url');
  if (params.api_version !== undefined && !/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/.test(String(params.api_version)))
    throw invalidRequest(`Invalid API version: ${String(params.api_version)}`, 'api_version');
  const endpoint: StripeObject = {
    id: randomId('we', 24),
    object: TYPE,
    api_version: typeof params.api_version === 'string' ? params.api_version : null,
    application: null,
    created: nowSeconds(),
    description: typeof params.description === 'string' ? params.description : null,
    enabled_events: events,
    livemode: false,
    metadata: metadataOf(params.metadata, {}),
    status: 'enabled',
    url: params.url,
  };
  store.put(endpoint);
  return { ...endpoint, secret: randomId('whsec', 32) };
}

function update(endpoint: StripeObject, params: Record<string, unknown>, store: ObjectStore): StripeObject {
  refuseUnknown(params, UPDATE_PARAMS);
  const next: StripeObject = { ...endpoint };
  if (typeof params.url === 'string' && params.url) next.url = params.url;
  if (params.enabled_events !== undefined) {
    const events = enabledEvents(params.enabled_events);
    if (!events) throw invalidRequest('enabled_events must list at least one event type.', 'enabled_events');
    next.enabled_events = events;
  }
  if (typeof params.description === 'string') next.description = params.description || null;
  if (params.disabled !== undefined) next.status = params.disabled === 'true' ? 'disabled' : 'enabled';
  if (params.metadata !== undefined) next.metadata = metadataOf(params.metadata, endpoint.metadata);
  store.put(next);
  return next;
}

/** Stripe names the first parameter it does not know (`api_version` on an update among them). */
function refuseUnknown(params: Record<string, unknown>, known: Set<string>): void {
  const unknown = Object.keys(params).find((name) => !known.has(name) && name !== 'expand');
  if (unknown !== undefined)
    throw invalidRequest(`Received unknown parameter: ${unknown}`, unknown, 'parameter_unknown');
}

function enabledEvents(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const events = list.filter((e): e is string => typeof e === 'string' && e.length > 0);
  return events.length ? events : undefined;
}

/** Stripe merges metadata keys; an empty value unsets its key, and `metadata=` (empty) clears them all. */
function metadataOf(value: unknown, current: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const merged: Record<string, string> = isRecord(current) ? { ...(current as Record<string, string>) } : {};
  for (const [key, v] of Object.entries(value)) {
    if (v === '') delete merged[key];
    else merged[key] = String(v);
  }
  return merged;
}
