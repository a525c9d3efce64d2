/**
 * Account-level lists of the stand-in, in Stripe's list format: `GET /v1/webhook_endpoints`,
 * `GET /v1/billing/meters`, `GET /v1/billing_portal/configurations` (what `npm run doctor` reads).
 * Objects come from `put()` (see account-objects.ts). Only paging parameters are understood; a filter
 * such as `status` is refused with 400 rather than silently ignored.
 */
import { invalidRequest } from './errors';
import type { ListPage, ObjectStore } from './store';

const ACCOUNT_LISTS: Record<string, string> = {
  '/v1/webhook_endpoints': 'webhook_endpoint',
  '/v1/billing/meters': 'billing.meter',
  '/v1/billing_portal/configurations': 'billing_portal.configuration',
};

const PAGING = new Set(['limit', 'starting_after', 'ending_before']);

export function isAccountList(req: { method: string; path: string }): boolean {
  return req.method === 'GET' && Object.hasOwn(ACCOUNT_LISTS, req.path);
}

export function listAccountObjects(
  req: { path: string; query: Record<string, unknown> },
  store: ObjectStore,
): ListPage {
  const unknown = Object.keys(req.query).find((name) => !PAGING.has(name));
  if (unknown !== undefined)
    throw invalidRequest(
      `Received unknown parameter: ${unknown} (the stand-in does not filter this list)`,
      unknown,
      'parameter_unknown',
    );
  return store.list(ACCOUNT_LISTS[req.path], req.query, req.path);
}
