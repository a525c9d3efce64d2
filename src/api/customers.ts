/** /v1/customers/:id/… routes (bearer-authenticated by the caller's router). */
import Router from '@koa/router';
import type { DataSource } from 'typeorm';
import { customerAccess } from '../access/access-query';

export const CUSTOMER_ID = /^cus_[A-Za-z0-9]+$/;

export interface CustomerRouteDeps {
  dataSource: DataSource;
  graceSeconds: number;
}

export function customerRoutes(deps: CustomerRouteDeps): Router {
  const router = new Router();
  router.get('/customers/:id/access', async (ctx) => {
    const id = ctx.params.id;
    if (!CUSTOMER_ID.test(id)) ctx.throw(400, 'customer id must look like cus_…');
    const decision = await customerAccess(deps.dataSource, id, deps.graceSeconds);
    ctx.body = { customer: id, ...decision };
  });
  return router;
}
