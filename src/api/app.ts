/**
 * The Koa app factory. One error sink: 4xx messages are exposed as `{"error": …}`, 5xx answers
 * carry no internals, and every 5xx is logged once.
 */
import Router from '@koa/router';
import Koa from 'koa';
import type { Queue } from 'bullmq';
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { AccessCache } from '../access/cache';
import { AccessReader } from '../access/query';
import type { AccessState } from '../access/inputs';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createMetrics, Metrics } from '../metrics';
import type { StripeEventQueues } from '../queues/stripe-events-queue';
import type { ThinEventsQueue } from '../queues/thin-events-queue';
import type { RedisConnection } from '../runtime/redis';
import { consoleResync } from '../admin/console';
import { isLiveKey } from '../admin/dashboard';
import { adminRoutes, type AdminOptions } from './admin';
import { bearerAuth } from './auth';
import { accessRoute, customerRoutes } from './customers';
import { healthRoutes } from './health';
import type { UsageClient } from '../usage/client';
import { usageRoutes } from './usage';
import { customerUsageRoutes, type CustomerUsageDeps } from './customer-usage';
import { metricsRoutes } from './metrics';
import { openApiRoutes } from './openapi';
import { DEFAULT_ENQUEUE_TIMEOUT_MS, webhookRoutes } from './webhooks';

export interface AppDeps {
  config: Pick<Config, 'STRIPE_WEBHOOK_SECRET' | 'API_KEYS' | 'ACCESS_GRACE_PERIOD_SECONDS'> &
    Partial<Pick<Config, 'ADMIN_USER' | 'ADMIN_PASSWORD' | 'ADMIN_READ_ONLY'>> &
    // The operator console: Dashboard links by mode, and its resync (ops/resync.ts).
    Pick<Config, 'STRIPE_SECRET_KEY' | 'KEY_PREFIX' | 'BACKFILL_RATE_PER_SECOND' | 'ACCESS_WEBHOOK_URL'>;
  /** Every partition of the Stripe event queue. */
  eventQueues: StripeEventQueues;
  /** Where thin event notifications (meter error reports) are enqueued. */
  thinEvents: ThinEventsQueue;
  redis: RedisConnection;
  dataSource: DataSource;
  log: Logger;
  enqueueTimeoutMs?: number;
  /** Counts usage for POST /v1/usage; without it that route is not mounted. */
  usage?: UsageClient;
  /** Answers GET /v1/customers/:id/usage; without it that route is not mounted. */
  customerUsage?: CustomerUsageDeps['usage'];
  /** This service's registry (GET /metrics); a fresh one when absent. */
  metrics?: Metrics;
  /** Every queue Bull Board shows (default: the Stripe event queue's partitions). */
  queues?: readonly Queue[];
  /** Needed by the Customer Portal route; without it that route answers 503. */
  stripe?: Stripe;
  /** Access answers kept in memory while the access change feed is followed (service.ts); without it every call reads PostgreSQL. */
  accessCache?: AccessCache<AccessState>;
}

/** Every method some route answers; anything else gets 405. */
const SERVED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

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
    deps.log.error({ err: error, path: ctx?.path, method: ctx?.method }, 'request failed'),
  );
  // A method no route serves (TRACE, PROPFIND…) is the client's mistake: 405, not Koa Router's
  // 501, so scanners cannot raise the 5xx rate (found by the chaos suite, scenario 7).
  app.use(async (ctx, next) => {
    if (!SERVED_METHODS.includes(ctx.method)) {
      ctx.set('Allow', SERVED_METHODS.join(', '));
      ctx.throw(405, `method ${ctx.method} is not allowed`);
    }
    await next();
  });

  const metrics = deps.metrics ?? createMetrics({ defaultMetrics: false });
  const queues = deps.queues ?? deps.eventQueues.partitions;
  for (const queue of queues) metrics.watchQueue(queue);
  const access = new AccessReader(deps.dataSource, deps.config.ACCESS_GRACE_PERIOD_SECONDS, deps.accessCache);
  const admin = adminRoutes({
    queues,
    user: deps.config.ADMIN_USER,
    password: deps.config.ADMIN_PASSWORD,
    readOnly: deps.config.ADMIN_READ_ONLY ?? false,
    console: adminConsoleDeps(deps, access),
  });
  if (admin) app.use(admin);

  // The bearer check guards every spelling of /v1 before routing: @koa/router matches routes
  // case-insensitively but a prefix-wide router.use case-sensitively, so GET /V1/… skipped the
  // check (found by the chaos suite, scenario 7).
  const v1Auth = bearerAuth(deps.config.API_KEYS);
  app.use((ctx, next) => (/^\/v1(\/|$)/i.test(ctx.path) ? v1Auth(ctx, next) : next()));
  app.use(accessRoute(access));
  const v1 = new Router({ prefix: '/v1' });
  const customers = customerRoutes({ dataSource: deps.dataSource, access, stripe: deps.stripe });
  v1.use(customers.routes(), customers.allowedMethods());
  if (deps.usage) {
    const usage = usageRoutes({ usage: deps.usage });
    v1.use(usage.routes(), usage.allowedMethods());
  }
  if (deps.customerUsage) {
    const customerUsage = customerUsageRoutes({ usage: deps.customerUsage });
    v1.use(customerUsage.routes(), customerUsage.allowedMethods());
  }
  const openApi = openApiRoutes();
  v1.use(openApi.routes(), openApi.allowedMethods());

  const routers = [
    v1,
    webhookRoutes({
      queues: deps.eventQueues,
      thinEvents: deps.thinEvents,
      stripe: deps.stripe,
      secrets: deps.config.STRIPE_WEBHOOK_SECRET,
      log: deps.log,
      enqueueTimeoutMs: deps.enqueueTimeoutMs ?? DEFAULT_ENQUEUE_TIMEOUT_MS,
      metrics,
    }),
    healthRoutes({ redis: deps.redis, dataSource: deps.dataSource, log: deps.log }),
    metricsRoutes(metrics.registry),
  ];
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}

/** What the operator console reads (the access API's own reader, the usage route's own query) and its resync. */
function adminConsoleDeps(deps: AppDeps, access: AccessReader): AdminOptions['console'] {
  const { config, stripe, customerUsage } = deps;
  return {
    dataSource: deps.dataSource,
    redis: deps.redis,
    access,
    log: deps.log,
    live: isLiveKey(config.STRIPE_SECRET_KEY),
    customerUsage: customerUsage && ((customer) => customerUsage(customer)),
    resync:
      stripe &&
      consoleResync({
        stripe,
        dataSource: deps.dataSource,
        log: deps.log,
        redis: deps.redis,
        keyPrefix: config.KEY_PREFIX,
        graceSeconds: config.ACCESS_GRACE_PERIOD_SECONDS,
        notify: config.ACCESS_WEBHOOK_URL !== undefined,
        ratePerSecond: config.BACKFILL_RATE_PER_SECOND,
        accessCache: deps.accessCache,
      }),
  };
}
