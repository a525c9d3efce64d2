/**
 * GET /v1/customers/:id/usage?from=&to= (bearer-authenticated by the caller's router): units sent
 * to Stripe and units counted but not yet sent, per meter, for usage whose time falls in
 * [from, to) — by default the customer's current billing period. An unknown customer has zeros.
 */
import Router from '@koa/router';
import type { CustomerUsage } from '../usage/usage-query';
import type { UsageRange } from '../usage/usage-totals';
import { CUSTOMER_ID } from '../lib/ids';

export interface CustomerUsageDeps {
  usage(customer: string, range?: UsageRange): Promise<CustomerUsage>;
}

/**
 * Parses `from`/`to`: both absent (default period), or unix seconds (0 … 12 digits) with from < to;
 * else the offending field. Never negative: PostgreSQL's to_timestamp refuses years before 4713 BC,
 * and usage is never older than 1970.
 */
export function parseRange(
  query: Record<string, string | string[] | undefined>,
): { ok: true; range?: UsageRange } | { ok: false; error: string } {
  const { from, to } = query;
  if (from === undefined && to === undefined) return { ok: true };
  const values: number[] = [];
  for (const [name, raw] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (typeof raw !== 'string' || !/^\d{1,12}$/.test(raw))
      return { ok: false, error: `${name}: must be unix seconds (an integer from 0)` };
    values.push(Number(raw));
  }
  if (values[0] >= values[1]) return { ok: false, error: 'from: must be before to' };
  return { ok: true, range: { from: values[0], to: values[1] } };
}

export function customerUsageRoutes(deps: CustomerUsageDeps): Router {
  const router = new Router();
  router.get('/customers/:id/usage', async (ctx) => {
    const id = ctx.params.id;
    if (!CUSTOMER_ID.test(id)) ctx.throw(400, 'customer id must look like cus_…');
    const parsed = parseRange(ctx.query);
    if (!parsed.ok) return ctx.throw(400, parsed.error);
    ctx.body = await deps.usage(id, parsed.range);
  });
  return router;
}
