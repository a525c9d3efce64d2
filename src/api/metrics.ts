/** GET /metrics: the service's own prom-client registry in Prometheus text format (no auth, per the contract). */
import Router from '@koa/router';
import type { Registry } from 'prom-client';

export function metricsRoutes(registry: Registry): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.set('Content-Type', registry.contentType);
    ctx.body = await registry.metrics();
  });
  return router;
}
