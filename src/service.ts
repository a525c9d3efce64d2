/**
 * Wires the roles named by ROLE from a validated config, and tears them down in order:
 * stop accepting requests → let in-flight jobs finish → close queues and Redis → close PostgreSQL.
 * Used by main.ts, and by the tests and demo to run the real service in-process.
 */
import { createServer, RequestListener, Server } from 'node:http';
import type { Queue, Worker } from 'bullmq';
import Koa from 'koa';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../ormconfig';
import { AccessCache } from './access/access-cache';
import { FEED_BLOCK_MS, followAccessChanges, publishAccessInvalidation } from './access/access-change-feed';
import type { AccessState } from './access/access-sync';
import { createApp } from './api/app';
import { healthRoutes } from './api/health';
import { metricsRoutes } from './api/metrics';
import type { Config } from './config';
import { startUsageDrain, UsageDrainRole } from './usage/drain-worker';
import type { AccessOptions } from './events/access-step';
import { createStripeEventWorkers } from './events/worker';
import { createMaintenanceWorker } from './ops/maintenance-worker';
import type { Logger } from './logger';
import { createMetrics, instrumentStripe, instrumentWorker, Metrics } from './metrics';
import { RateLimiter } from './lib/rate-limiter';
import { createNotificationWorker, publishNotifications } from './notify/notifier';
import { AccessNotificationsQueue, createAccessNotificationsQueue, scheduleSweep } from './queues/access-notifications-queue';
import { completedJobRetention } from './queues/job-options';
import { createMaintenanceQueue, schedulePrune, scheduleReplay } from './queues/maintenance-queue';
import { createUsageDrainQueue } from './queues/usage-drain-queue';
import { createStripeEventQueues, StripeEventQueues } from './queues/stripe-events-queue';
import { stripeEventQueueNames } from './queues/partitions';
import { connectRedis, createBlockingReaderRedis, createProducerRedis, createWorkerRedis, RedisConnection, redisTarget } from './runtime/redis';
import { createStripeClient } from './stripe';
import { UsageClient } from './usage/client';
import { customerUsage } from './usage/usage-query';

export interface RunningService {
  /** The bound HTTP port (api role), useful when PORT=0. */
  port?: number;
  dataSource: DataSource;
  /** Every partition of the Stripe event queue (api role). */
  eventQueues?: StripeEventQueues;
  /** One Stripe event worker per partition (worker role). */
  eventWorkers: Worker[];
  /** This service's Prometheus registry and instruments (see metrics.ts). */
  metrics: Metrics;
  /** Every queue the api role shows in Bull Board and in queue-depth metrics. */
  queues: Queue[];
  /** The usage drain (worker role): its queue, worker and an in-process `drainNow`. */
  usage?: UsageDrainRole;
  /** The access-notifications queue (worker role, with ACCESS_WEBHOOK_URL). */
  notifications?: AccessNotificationsQueue;
  stop(): Promise<void>;
}

export async function startService(config: Config, log: Logger): Promise<RunningService> {
  const dataSource = createDataSource(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
  await dataSource.initialize();
  const stripe = createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL });
  const closers: Array<() => Promise<unknown>> = [];
  const metrics = createMetrics();
  instrumentStripe(stripe, metrics);
  const service: RunningService = { dataSource, metrics, queues: [], eventWorkers: [], stop: async () => {} };
  const target = redisTarget(config);

  if (config.ROLE === 'api' || config.ROLE === 'all') {
    const redis = createProducerRedis(target);
    await connectRedis(redis);
    const eventQueues = createStripeEventQueues(redis, config.KEY_PREFIX, config.EVENT_QUEUE_PARTITIONS);
    const usage = new UsageClient({ redis, keyPrefix: config.KEY_PREFIX, windowSeconds: config.USAGE_WINDOW_SECONDS, dedupeSeconds: config.USAGE_DEDUPE_SECONDS });
    // Every queue Bull Board and /metrics show: add new queues to this list.
    const maintenance = createMaintenanceQueue(redis, config.KEY_PREFIX);
    service.queues.push(...eventQueues.partitions, maintenance, createUsageDrainQueue(redis, config.KEY_PREFIX));
    if (config.ACCESS_WEBHOOK_URL) service.queues.push(createAccessNotificationsQueue(redis, config.KEY_PREFIX));
    // Without a listener BullMQ prints connection errors to the console; they also surface as 503s.
    for (const q of service.queues) q.on('error', (error) => log.warn({ queue: q.name, err: error.message }, 'queue connection error'));
    const usageQuery = { redis, dataSource, keyPrefix: config.KEY_PREFIX, windowSeconds: config.USAGE_WINDOW_SECONDS };
    const accessCache = new AccessCache<AccessState>({ ttlMs: config.ACCESS_CACHE_TTL_MS, maxEntries: config.ACCESS_CACHE_MAX_ENTRIES });
    metrics.watchAccessCache(accessCache);
    if (config.ACCESS_CACHE_TTL_MS > 0) {
      const feedRedis = createBlockingReaderRedis(target, FEED_BLOCK_MS);
      await connectRedis(feedRedis);
      closers.push(followAccessChanges(feedRedis, config.KEY_PREFIX, accessCache, log));
    }
    const app = createApp({
      config, eventQueues, redis, dataSource, log, usage, metrics, queues: service.queues, stripe, accessCache,
      customerUsage: (customer, range) => customerUsage(usageQuery, customer, range),
    });
    const server = await listen(app.callback(), config.PORT);
    service.port = (server.address() as { port: number }).port;
    service.eventQueues = eventQueues;
    closers.push(() => closeServer(server), ...service.queues.map((q) => () => q.close()), () => quit(redis));
    log.info({ port: service.port }, 'api listening');
  }
  if (config.ROLE === 'worker' || config.ROLE === 'all') {
    const redis = createWorkerRedis(target);
    await connectRedis(redis);
    const usage = await startUsageDrain({ config, connection: redis, dataSource, stripe, log });
    service.usage = usage;
    instrumentWorker(usage.worker, metrics);
    usage.worker.on('completed', (_job, result) => {
      metrics.usageEventsSent.inc(result.events);
      metrics.usageValueSent.inc(result.value);
    });
    const notifications = await startNotifications(config, { redis, dataSource, log, metrics });
    service.notifications = notifications.queue;
    const workers = createStripeEventWorkers(
      { dataSource, stripe, log, effects: { usage_flush: usage.requestInvoiceFlush }, access: notifications.access,
        onSetAside: (reason) => metrics.eventsSetAside.inc({ reason }),
        onStripeRead: (reason) => metrics.eventStripeReads.inc({ reason }),
      },
      {
        connection: redis, prefix: config.KEY_PREFIX, concurrency: config.WORKER_CONCURRENCY,
        queueNames: stripeEventQueueNames(config.EVENT_QUEUE_PARTITIONS, redis.isCluster),
        keepCompleted: completedJobRetention(config.COMPLETED_JOB_RETENTION_SECONDS),
        batch: {
          maxBatch: config.WORKER_BATCH_SIZE, maxInFlight: config.WORKER_BATCH_TRANSACTIONS,
          onTransaction: (events) => metrics.eventBatchSize.observe(events),
        },
      },
    );
    service.eventWorkers = workers;
    for (const worker of workers) instrumentWorker(worker, metrics);
    closers.push(...(await startMaintenance(config, { redis, dataSource, stripe, log, metrics })));
    // Worker.close() waits for in-flight jobs; it must come before PostgreSQL closes.
    closers.push(() => Promise.all(workers.map((w) => w.close())), ...notifications.closers, () => usage.stop(), () => quit(redis));
    log.info({ concurrency: config.WORKER_CONCURRENCY, batchSize: config.WORKER_BATCH_SIZE, partitions: workers.length }, 'worker started');
  }
  closers.push(() => dataSource.destroy());
  service.stop = async () => {
    for (const close of closers) await close().catch((error: Error) => log.warn({ err: error.message }, 'shutdown step failed'));
  };
  return service;
}

/**
 * Worker role: the scheduled replay of missed Stripe events and prune of processed_events
 * (maintenance queue), and for ROLE=worker with METRICS_PORT a small server for /metrics,
 * /healthz and /readyz.
 */
async function startMaintenance(
  config: Config,
  deps: { redis: RedisConnection; dataSource: DataSource; stripe: ReturnType<typeof createStripeClient>; log: Logger; metrics: Metrics },
): Promise<Array<() => Promise<unknown>>> {
  const { redis, metrics } = deps;
  const events = createStripeEventQueues(redis, config.KEY_PREFIX, config.EVENT_QUEUE_PARTITIONS);
  const maintenance = createMaintenanceQueue(redis, config.KEY_PREFIX);
  const limiter = new RateLimiter(config.BACKFILL_RATE_PER_SECOND);
  const worker = createMaintenanceWorker({ ...deps, queues: events, limiter }, { connection: redis, prefix: config.KEY_PREFIX });
  instrumentWorker(worker, metrics);
  await scheduleReplay(maintenance, config.REPLAY_INTERVAL_MS);
  await schedulePrune(maintenance, config.PROCESSED_EVENTS_PRUNE_INTERVAL_MS, config.PROCESSED_EVENTS_RETENTION_DAYS);
  const closers: Array<() => Promise<unknown>> = [() => worker.close(), () => maintenance.close(), () => events.close()];
  if (config.ROLE === 'worker' && config.METRICS_PORT !== undefined) {
    for (const queue of events.partitions) metrics.watchQueue(queue);
    metrics.watchQueue(maintenance);
    const app = new Koa();
    for (const router of [metricsRoutes(metrics.registry), healthRoutes({ redis, dataSource: deps.dataSource })]) app.use(router.routes());
    const server = await listen(app.callback(), config.METRICS_PORT);
    closers.unshift(() => closeServer(server));
  }
  return closers;
}

/**
 * Worker role: the access step's options, and with ACCESS_WEBHOOK_URL the notification queue, its
 * sweep scheduler and its own worker (apart from the event worker: a slow receiver holds up nothing).
 */
async function startNotifications(
  config: Config,
  deps: { redis: RedisConnection; dataSource: DataSource; log: Logger; metrics: Metrics },
): Promise<{ access: AccessOptions; queue?: AccessNotificationsQueue; closers: Array<() => Promise<unknown>> }> {
  const base: AccessOptions = {
    graceSeconds: config.ACCESS_GRACE_PERIOD_SECONDS,
    notify: config.ACCESS_WEBHOOK_URL !== undefined,
    invalidate: (customers) => publishAccessInvalidation(deps.redis, config.KEY_PREFIX, customers),
  };
  if (!config.ACCESS_WEBHOOK_URL || !config.ACCESS_WEBHOOK_SECRET) return { access: base, closers: [] };
  const queue = createAccessNotificationsQueue(deps.redis, config.KEY_PREFIX);
  const access: AccessOptions = { ...base, onChanged: (changes) => publishNotifications({ dataSource: deps.dataSource, queue }, changes) };
  await scheduleSweep(queue, config.ACCESS_SWEEP_INTERVAL_MS);
  const worker = createNotificationWorker(
    { dataSource: deps.dataSource, queue, log: deps.log, url: config.ACCESS_WEBHOOK_URL, secret: config.ACCESS_WEBHOOK_SECRET, access },
    { connection: deps.redis, prefix: config.KEY_PREFIX, concurrency: 10 },
  );
  instrumentWorker(worker, deps.metrics);
  return { access, queue, closers: [() => worker.close(), () => queue.close()] };
}

function listen(handler: RequestListener, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

async function quit(redis: RedisConnection): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
