/**
 * Wires the roles named by ROLE from a validated config, and tears them down in order:
 * stop accepting requests → let in-flight jobs finish → close queues and Redis → close PostgreSQL.
 * Used by main.ts, and by the tests and demo to run the real service in-process.
 */
import { createServer, RequestListener, Server } from 'node:http';
import type { Queue, Worker } from 'bullmq';
import Koa from 'koa';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../ormconfig';
import { createApp } from './api/app';
import { healthRoutes } from './api/health';
import { metricsRoutes } from './api/metrics';
import type { Config } from './config';
import { startUsageDrain, UsageDrainRole } from './usage/drain-worker';
import { createStripeEventWorker } from './events/worker';
import { createMaintenanceWorker } from './ops/maintenance-worker';
import type { Logger } from './logger';
import { createMetrics, instrumentStripe, instrumentWorker, Metrics } from './metrics';
import { RateLimiter } from './ops/rate-limit';
import { createMaintenanceQueue, scheduleReplay } from './queues/maintenance-queue';
import { createUsageDrainQueue } from './queues/usage-drain-queue';
import { createStripeEventsQueue, StripeEventsQueue } from './queues/stripe-events-queue';
import { connectRedis, createProducerRedis, createWorkerRedis } from './runtime/redis';
import { createStripeClient } from './stripe';
import { UsageClient } from './usage/client';
import { customerUsage } from './usage/usage-query';

export interface RunningService {
  /** The bound HTTP port (api role), useful when PORT=0. */
  port?: number;
  dataSource: DataSource;
  queue?: StripeEventsQueue;
  worker?: Worker;
  /** This service's Prometheus registry and instruments (see metrics.ts). */
  metrics: Metrics;
  /** Every queue the api role shows in Bull Board and in queue-depth metrics. */
  queues: Queue[];
  /** The usage drain (worker role): its queue, worker and an in-process `drainNow`. */
  usage?: UsageDrainRole;
  stop(): Promise<void>;
}

export async function startService(config: Config, log: Logger): Promise<RunningService> {
  const dataSource = createDataSource(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
  await dataSource.initialize();
  const stripe = createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL });
  const closers: Array<() => Promise<unknown>> = [];
  const metrics = createMetrics();
  instrumentStripe(stripe, metrics);
  const service: RunningService = { dataSource, metrics, queues: [], stop: async () => {} };

  if (config.ROLE === 'api' || config.ROLE === 'all') {
    const redis = createProducerRedis(config.REDIS_URL);
    await connectRedis(redis);
    const queue = createStripeEventsQueue(redis, config.KEY_PREFIX);
    const usage = new UsageClient({ redis, keyPrefix: config.KEY_PREFIX, windowSeconds: config.USAGE_WINDOW_SECONDS, dedupeSeconds: config.USAGE_DEDUPE_SECONDS });
    // Every queue Bull Board and /metrics show: add new queues to this list.
    const maintenance = createMaintenanceQueue(redis, config.KEY_PREFIX);
    service.queues.push(queue, maintenance, createUsageDrainQueue(redis, config.KEY_PREFIX));
    // Without a listener BullMQ prints connection errors to the console; they also surface as 503s.
    for (const q of service.queues) q.on('error', (error) => log.warn({ queue: q.name, err: error.message }, 'queue connection error'));
    const usageQuery = { redis, dataSource, keyPrefix: config.KEY_PREFIX, windowSeconds: config.USAGE_WINDOW_SECONDS };
    const app = createApp({
      config, queue, redis, dataSource, log, usage, metrics, queues: service.queues, stripe,
      customerUsage: (customer, range) => customerUsage(usageQuery, customer, range),
    });
    const server = await listen(app.callback(), config.PORT);
    service.port = (server.address() as { port: number }).port;
    service.queue = queue;
    closers.push(() => closeServer(server), ...service.queues.map((q) => () => q.close()), () => quit(redis));
    log.info({ port: service.port }, 'api listening');
  }
  if (config.ROLE === 'worker' || config.ROLE === 'all') {
    const redis = createWorkerRedis(config.REDIS_URL);
    await connectRedis(redis);
    const usage = await startUsageDrain({ config, connection: redis, dataSource, stripe, log });
    service.usage = usage;
    instrumentWorker(usage.worker, metrics);
    usage.worker.on('completed', (_job, result) => {
      metrics.usageEventsSent.inc(result.events);
      metrics.usageValueSent.inc(result.value);
    });
    const worker = createStripeEventWorker(
      { dataSource, stripe, log, afterCommit: usage.afterStripeEvent },
      {
        connection: redis, prefix: config.KEY_PREFIX, concurrency: config.WORKER_CONCURRENCY,
        batch: {
          maxBatch: config.WORKER_BATCH_SIZE, maxInFlight: config.WORKER_BATCH_TRANSACTIONS,
          onTransaction: (events) => metrics.eventBatchSize.observe(events),
        },
      },
    );
    service.worker = worker;
    instrumentWorker(worker, metrics);
    closers.push(...(await startMaintenance(config, { redis, dataSource, stripe, log, metrics })));
    // Worker.close() waits for in-flight jobs; it must come before PostgreSQL closes.
    closers.push(() => worker.close(), () => usage.stop(), () => quit(redis));
    log.info({ concurrency: config.WORKER_CONCURRENCY, batchSize: config.WORKER_BATCH_SIZE }, 'worker started');
  }
  closers.push(() => dataSource.destroy());
  service.stop = async () => {
    for (const close of closers) await close().catch((error: Error) => log.warn({ err: error.message }, 'shutdown step failed'));
  };
  return service;
}

/**
 * Worker role: the scheduled replay of missed Stripe events (maintenance queue), and for
 * ROLE=worker with METRICS_PORT a small server for /metrics, /healthz and /readyz.
 */
async function startMaintenance(
  config: Config,
  deps: { redis: Redis; dataSource: DataSource; stripe: ReturnType<typeof createStripeClient>; log: Logger; metrics: Metrics },
): Promise<Array<() => Promise<unknown>>> {
  const { redis, metrics } = deps;
  const events = createStripeEventsQueue(redis, config.KEY_PREFIX);
  const maintenance = createMaintenanceQueue(redis, config.KEY_PREFIX);
  const limiter = new RateLimiter(config.BACKFILL_RATE_PER_SECOND);
  const worker = createMaintenanceWorker({ ...deps, queue: events, limiter }, { connection: redis, prefix: config.KEY_PREFIX });
  instrumentWorker(worker, metrics);
  await scheduleReplay(maintenance, config.REPLAY_INTERVAL_MS);
  const closers: Array<() => Promise<unknown>> = [() => worker.close(), () => maintenance.close(), () => events.close()];
  if (config.ROLE === 'worker' && config.METRICS_PORT !== undefined) {
    metrics.watchQueue(events);
    metrics.watchQueue(maintenance);
    const app = new Koa();
    for (const router of [metricsRoutes(metrics.registry), healthRoutes({ redis, dataSource: deps.dataSource })]) app.use(router.routes());
    const server = await listen(app.callback(), config.METRICS_PORT);
    closers.unshift(() => closeServer(server));
  }
  return closers;
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

async function quit(redis: Redis): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
