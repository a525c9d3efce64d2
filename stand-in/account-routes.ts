/**
 * Account-level routes of the stand-in (what `npm run doctor` and `npm run setup` use): the lists
 * `GET /v1/webhook_endpoints`, `GET /v1/billing/meters`, `GET /v1/billing_portal/configurations` in
 * Stripe's list format, webhook endpoint writes (webhook-endpoints.ts) and v2 event destinations
 * (event-destinations.ts). Objects come from those writes or from `put()` (see account-objects.ts).
 * Lists understand only paging parameters; a filter such as `status` is refused with 400 rather than
 * silently ignored.
 */
import { invalidRequest, type Reply } from './errors';
import { eventDestinationRoute } from './event-destinations';
import type { ListPage, ObjectStore } from './store';
import { webhookEndpointRoute } from './webhook-endpoints';

const ACCOUNT_LISTS: Record<string, string> = {
  '/v1/webhook_endpoints': 'webhook_endpoint',
  '/v1/billing/meters': 'billing.meter',
  '/v1/billing_portal/configurations': 'billing_portal.configuration',
};

const PAGING = new Set(['limit', 'starting_after', 'ending_before']);

/** Answers an account-level request; undefined when the request is not one. */
export function accountRoute(
  req: { method: string; path: string; query: Record<string, unknown>; body: Record<string, unknown> },
  store: ObjectStore,
): Reply | undefined {
  if (isAccountList(req)) return { status: 200, body: listAccountObjects(req, store) };
  return webhookEndpointRoute(req, store) ?? eventDestinationRoute(req, store);
}

function isAccountList(req: { method: string; path: string }): boolean {
  return req.method === 'GET' && Object.hasOwn(ACCOUNT_LISTS, req.path);
}

function listAccountObjects(req: { path: string; query: Record<string, unknown> }, store: ObjectStore): ListPage {
  const unknown = Object.keys(req.query).find((name) => !PAGING.has(name));
  if (unknown !== undefined)
    throw invalidRequest(
      `Received unknown parameter: ${unknown} (the stand-in does not filter this list)`,
      unknown,
      'parameter_unknown',
    );
  return store.list(ACCOUNT_LISTS[req.path], req.query, req.path);
}
