/**
 * The Koa app factory. One error sink: 4xx messages are exposed as `{"error": …}`, 5xx answers
 * carry no internals, and every 5xx is logged once.
 */
import Router from '@koa/router';
import Koa from 'koa';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { StripeEventsQueue } from '../queues/stripe-events-queue';
import { bearerAuth } from './auth';
import { customerRoutes } from './customers';
import { healthRoutes } from './health';
import { webhookRoutes } from './webhooks';

export interface AppDeps {
  config: Pick<Config, 'STRIPE_WEBHOOK_SECRET' | 'API_KEYS' | 'ACCESS_GRACE_PERIOD_SECONDS'>;
  queue: StripeEventsQueue;
  redis: Redis;
  dataSource: DataSource;
  log: Logger;
  enqueueTimeoutMs?: number;
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const err = error as { status?: number; statusCode?: number; expose?: boolean; message?: string };
      const status = err.status ?? err.statusCode ?? 500;
      ctx.status = status;
      ctx.body = { error: status < 500 || err.expose ? err.message : 'internal error' };
      if (status >= 500) ctx.app.emit('error', error, ctx);
    }
  });
  app.on('error', (error: Error, ctx?: Koa.Context) =>
    deps.log.error({ err: error.message, path: ctx?.path, method: ctx?.method }, 'request failed'));

  const v1 = new Router({ prefix: '/v1' });
  v1.use(bearerAuth(deps.config.API_KEYS));
  const customers = customerRoutes({ dataSource: deps.dataSource, graceSeconds: deps.config.ACCESS_GRACE_PERIOD_SECONDS });
  v1.use(customers.routes(), customers.allowedMethods());

  const routers = [
    webhookRoutes({ queue: deps.queue, secrets: deps.config.STRIPE_WEBHOOK_SECRET, log: deps.log, enqueueTimeoutMs: deps.enqueueTimeoutMs ?? 3000 }),
    healthRoutes({ redis: deps.redis, dataSource: deps.dataSource }),
    v1,
  ];
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
