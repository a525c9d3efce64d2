/** /v1/customers/:id/… routes (bearer-authenticated by the caller's router). */
import Router from '@koa/router';
import type { Context } from 'koa';
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { AccessReader } from '../access/access-query';
import { CUSTOMER_ID } from '../lib/ids';
import { createPortalSession } from './portal';

export interface CustomerRouteDeps {
  dataSource: DataSource;
  access: AccessReader;
  /** For Customer Portal sessions. */
  stripe?: Stripe;
}

/** The route's customer id, or a 400. An unknown but well-formed id is answered, not refused. */
function customerId(ctx: Context & { params: Record<string, string> }): string {
  const id = ctx.params.id;
  if (!CUSTOMER_ID.test(id)) ctx.throw(400, 'customer id must look like cus_…');
  return id;
}

export function customerRoutes(deps: CustomerRouteDeps): Router {
  const router = new Router();
  router.get('/customers/:id/access', async (ctx) => {
    const id = customerId(ctx);
    const feature = ctx.query.feature;
    if (Array.isArray(feature) || (feature !== undefined && (feature.length === 0 || feature.length > 200))) {
      return ctx.throw(400, 'feature must be one lookup key (1–200 characters)');
    }
    const decision = feature === undefined ? await deps.access.access(id) : await deps.access.feature(id, feature);
    ctx.body = { customer: id, ...decision };
  });
  router.get('/customers/:id/entitlements', async (ctx) => {
    const id = customerId(ctx);
    ctx.body = { customer: id, features: await deps.access.entitlements(id) };
  });
  router.post('/customers/:id/portal-sessions', async (ctx) => {
    const id = customerId(ctx);
    await createPortalSession(ctx, { dataSource: deps.dataSource, stripe: deps.stripe }, id);
  });
  return router;
}
