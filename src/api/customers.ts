/** /v1/customers/:id/… routes (bearer-authenticated by the caller's router). */
import Router from '@koa/router';
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { customerAccess } from '../access/access-query';
import { CUSTOMER_ID } from '../lib/ids';
import { createPortalSession } from './portal';


export interface CustomerRouteDeps {
  dataSource: DataSource;
  graceSeconds: number;
  /** For Customer Portal sessions. */
  stripe?: Stripe;
}

export function customerRoutes(deps: CustomerRouteDeps): Router {
  const router = new Router();
  router.get('/customers/:id/access', async (ctx) => {
    const id = ctx.params.id;
    if (!CUSTOMER_ID.test(id)) ctx.throw(400, 'customer id must look like cus_…');
    const decision = await customerAccess(deps.dataSource, id, deps.graceSeconds);
    ctx.body = { customer: id, ...decision };
  });
  router.post('/customers/:id/portal-sessions', async (ctx) => {
    const id = ctx.params.id;
    if (!CUSTOMER_ID.test(id)) ctx.throw(400, 'customer id must look like cus_…');
    await createPortalSession(ctx, { dataSource: deps.dataSource, stripe: deps.stripe }, id);
  });
  return router;
}
