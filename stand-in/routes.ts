/**
 * Routes of the Stripe stand-in: retrieve/list of every resource in ./resources.ts (the mirrored
 * billing objects, events, charges, disputes, active entitlements, …), account objects (webhook
 * endpoints, event destinations: ./account-routes.ts), Customer Portal sessions, v1 and v2 meter
 * events, meter event summaries and thin events (`GET /v2/core/events/:id`). Anything else is
 * "unexpected" (404).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { accountRoute } from './account-routes';
import { parameterMissing, resourceMissing, unrecognizedUrl, type Reply } from './errors';
import type { MeterService } from './meters';
import type { ObjectStore } from './store';
import { matchResource } from './resources';
import { isRecord, nowSeconds, randomId, type StripeObject } from './util';

/** One parsed request as routes see it. */
export interface RouteRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

/** What routes may read and change. */
export interface RouteState {
  store: ObjectStore;
  meters: MeterService;
  baseUrl: string;
  portalSessions: Array<Record<string, unknown>>;
}

/** Answers a request or throws a StandInError (unknown routes → unrecognizedUrl). */
export function route(req: RouteRequest, state: RouteState): Reply {
  const { method, path } = req;
  const resource = method === 'GET' ? resourceRoute(req, state) : undefined;
  if (resource) return resource;
  const account = accountRoute(req, state.store);
  if (account) return account;
  if (method === 'POST' && path === '/v1/billing_portal/sessions') return ok(createPortalSession(req.body, state));
  if (method === 'POST' && path === '/v1/billing/meter_events') return ok(state.meters.createV1(req.body));
  if (method === 'POST' && path === '/v2/billing/meter_event_session') return ok(state.meters.createSession());
  if (method === 'POST' && path === '/v2/billing/meter_event_stream') {
    const auth = req.headers.authorization;
    return ok(state.meters.stream(Array.isArray(auth) ? auth[0] : auth, req.body));
  }
  const meter = meterRoute(req, state);
  if (meter) return meter;
  const page = /^\/p\/session\/([^/]+)$/.exec(path);
  if (method === 'GET' && page && state.store.exists('billing_portal.session', page[1])) {
    return { status: 200, body: portalPage(page[1]), headers: { 'Content-Type': 'text/html; charset=utf-8' } };
  }
  throw unrecognizedUrl(method, path);
}

/** GET of a resource in the table: retrieve by id, or one list page (undefined: not served here). */
function resourceRoute(req: RouteRequest, state: RouteState): Reply | undefined {
  const match = matchResource(req.path);
  if (!match) return undefined;
  const { spec, params, id } = match;
  if (id !== undefined) {
    const obj = state.store.retrieve(spec.type, id);
    // A nested path (`customers/:customer/…`) only reaches that customer's objects.
    if (params.customer !== undefined && obj.customer !== params.customer) throw resourceMissing(spec.type, id);
    return ok(obj);
  }
  if (!spec.list) return undefined;
  const query = { ...req.query, ...params };
  for (const required of spec.required ?? []) if (typeof query[required] !== 'string') throw parameterMissing(required);
  return ok(state.store.list(spec.type, query, req.path, spec.custom ? [] : [...spec.filters, ...Object.keys(params)]));
}

/** Event summaries of a meter, and a thin event by id (the error reports of meters.ts). */
function meterRoute(req: RouteRequest, state: RouteState): Reply | undefined {
  if (req.method !== 'GET') return undefined;
  const summaries = /^\/v1\/billing\/meters\/([^/]+)\/event_summaries$/.exec(req.path);
  if (summaries) return ok(state.meters.summaries(decodeURIComponent(summaries[1]), req.query, req.path));
  const thin = /^\/v2\/core\/events\/([^/]+)$/.exec(req.path);
  if (!thin) return undefined;
  const id = decodeURIComponent(thin[1]);
  const event = state.meters.reports.get(id);
  if (!event) throw resourceMissing('v2.core.event', id);
  return ok(event);
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

/** POST /v1/billing_portal/sessions → a `billing_portal.session` (shape of fixtures3.json). */
function createPortalSession(params: Record<string, unknown>, state: RouteState): StripeObject {
  const customer = params.customer;
  if (typeof customer !== 'string' || !customer) throw parameterMissing('customer');
  // Stripe answers an unknown id passed as a POST parameter with 400 resource_missing, param=customer.
  if (!state.store.exists('customer', customer)) throw resourceMissing('customer', customer, 'customer', 400);
  const id = randomId('bps', 24);
  const session: StripeObject = {
    id,
    object: 'billing_portal.session',
    configuration: typeof params.configuration === 'string' ? params.configuration : 'bpc_standin_default',
    created: nowSeconds(),
    customer,
    customer_account: null,
    flow: isRecord(params.flow_data) ? portalFlow(params.flow_data) : null,
    livemode: false,
    locale: typeof params.locale === 'string' ? params.locale : null,
    on_behalf_of: typeof params.on_behalf_of === 'string' ? params.on_behalf_of : null,
    return_url: typeof params.return_url === 'string' ? params.return_url : null,
    url: `${state.baseUrl}/p/session/${id}`,
  };
  state.portalSessions.push(structuredClone(params));
  state.store.put(session);
  return session;
}

function portalFlow(flow: Record<string, unknown>): Record<string, unknown> {
  const afterCompletion = isRecord(flow.after_completion) ? flow.after_completion : {};
  return {
    after_completion: {
      hosted_confirmation: afterCompletion.hosted_confirmation ?? null,
      redirect: afterCompletion.redirect ?? null,
      type: afterCompletion.type ?? 'portal_homepage',
    },
    subscription_cancel: flow.subscription_cancel ?? null,
    subscription_update: flow.subscription_update ?? null,
    subscription_update_confirm: flow.subscription_update_confirm ?? null,
    type: flow.type ?? null,
  };
}

function portalPage(id: string): string {
  return `<!doctype html><title>Customer portal (stand-in)</title><h1>Customer portal</h1><p>Session ${id}</p>`;
}
