/**
 * The worker role: over one worker Redis connection, the Stripe event workers (one per partition,
 * sharing one batcher), the thin event worker (meter error reports), the usage drain and reconciliation, the access notifications (with ACCESS_WEBHOOK_URL) and
 * the maintenance queue (scheduled replay and prune), and with ROLE=worker and METRICS_PORT a
 * small server for /metrics, /healthz and /readyz. Returns its closers in shutdown order: in-flight
 * jobs finish before Redis closes (and before the caller closes PostgreSQL).
 */
import type { Worker } from 'bullmq';
import Koa from 'koa';
import { publishAccessInvalidation } from '../access/change-feed';
import { healthRoutes } from '../api/health';
import { metricsRoutes } from '../api/metrics';
import type { AccessOptions } from '../events/access-step';
import { createNotificationWorker } from '../jobs/access-notifications';
import { createMaintenanceWorker } from '../jobs/maintenance';
import { createStripeEventWorkers } from '../jobs/stripe-events';
import { createThinEventsWorker } from '../jobs/thin-events';
import { RateLimiter } from '../lib/rate-limiter';
import { publishNotifications } from '../notify/notifier';
import {
  AccessNotificationsQueue,
  createAccessNotificationsQueue,
  scheduleSweep,
} from '../queues/access-notifications-queue';
import { completedJobRetention } from '../queues/job-options';
import { createMaintenanceQueue, schedulePrune, scheduleReplay, scheduleUsagePrune } from '../queues/maintenance-queue';
import { stripeEventQueueNames } from '../queues/partitions';
import { createStripeEventQueues } from '../queues/stripe-events-queue';
import { connectRedis, createWorkerRedis, quitRedis, RedisConnection, redisTarget } from '../runtime/redis';
import type { RoleContext } from './api';
import { closeServer, listen } from './http-server';
import { startUsageDrain, UsageDrainRole } from './usage-drain';
import { startUsageReconcile } from './usage-reconcile';

type Closers = Array<() => Promise<unknown>>;

export interface WorkerRole {
  eventWorkers: Worker[];
  usage: UsageDrainRole;
  notifications?: AccessNotificationsQueue;
  closers: Closers;
}

export async function startWorkerRole(ctx: RoleContext): Promise<WorkerRole> {
  const { config, dataSource, stripe, log, metrics } = ctx;
  const redis = createWorkerRedis(redisTarget(config));
  await connectRedis(redis);
  const usage = await startUsageDrain({ config, connection: redis, dataSource, stripe, log, metrics });
  const notifications = await startNotifications(ctx, redis);
  const eventWorkers = createStripeEventWorkers(
    {
      dataSource,
      stripe,
      log,
      effects: { usage_flush: usage.requestInvoiceFlush },
      access: notifications.access,
      onSetAside: (reason) => metrics.eventsSetAside.inc({ reason }),
      onStripeRead: (reason) => metrics.eventStripeReads.inc({ reason }),
    },
    {
      connection: redis,
      prefix: config.KEY_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      queueNames: stripeEventQueueNames(config.EVENT_QUEUE_PARTITIONS, redis.isCluster),
      keepCompleted: completedJobRetention(config.COMPLETED_JOB_RETENTION_SECONDS),
      batch: {
        maxBatch: config.WORKER_BATCH_SIZE,
        maxInFlight: config.WORKER_BATCH_TRANSACTIONS,
        onTransaction: (events) => metrics.eventBatchSize.observe(events),
      },
      metrics,
    },
  );
  const thinEvents = createThinEventsWorker(
    { stripe, dataSource, log, metrics, onRejected: (meter, code) => metrics.usageEventsRejected.inc({ meter, code }) },
    { connection: redis, prefix: config.KEY_PREFIX },
  );
  const closers: Closers = [...(await startMaintenance(ctx, redis)), ...(await startUsageReconcile(ctx, redis))];
  // Worker.close() waits for in-flight jobs; it must come before PostgreSQL closes.
  closers.push(
    () => Promise.all(eventWorkers.map((w) => w.close())),
    () => thinEvents.close(),
    ...notifications.closers,
    () => usage.stop(),
    () => quitRedis(redis),
  );
  log.info(
    { concurrency: config.WORKER_CONCURRENCY, batchSize: config.WORKER_BATCH_SIZE, partitions: eventWorkers.length },
    'worker started',
  );
  return { eventWorkers, usage, notifications: notifications.queue, closers };
}

/**
 * The scheduled replay of missed Stripe events and prune of processed_events (maintenance queue),
 * and for ROLE=worker with METRICS_PORT a small server for /metrics, /healthz and /readyz.
 */
async function startMaintenance(ctx: RoleContext, redis: RedisConnection): Promise<Closers> {
  const { config, metrics } = ctx;
  const events = createStripeEventQueues(redis, config.KEY_PREFIX, config.EVENT_QUEUE_PARTITIONS);
  const maintenance = createMaintenanceQueue(redis, config.KEY_PREFIX);
  const limiter = new RateLimiter(config.BACKFILL_RATE_PER_SECOND);
  const worker = createMaintenanceWorker(
    { dataSource: ctx.dataSource, stripe: ctx.stripe, log: ctx.log, metrics, queues: events, limiter },
    { connection: redis, prefix: config.KEY_PREFIX },
  );
  await scheduleReplay(maintenance, config.REPLAY_INTERVAL_MS);
  await schedulePrune(maintenance, config.PROCESSED_EVENTS_PRUNE_INTERVAL_MS, config.PROCESSED_EVENTS_RETENTION_DAYS);
  await scheduleUsagePrune(maintenance, config.PROCESSED_EVENTS_PRUNE_INTERVAL_MS, config.USAGE_LEDGER_RETENTION_DAYS);
  const closers: Closers = [() => worker.close(), () => maintenance.close(), () => events.close()];
  if (config.ROLE === 'worker' && config.METRICS_PORT !== undefined) {
    for (const queue of events.partitions) metrics.watchQueue(queue);
    metrics.watchQueue(maintenance);
    const app = new Koa();
    for (const router of [
      metricsRoutes(metrics.registry),
      healthRoutes({ redis, dataSource: ctx.dataSource, log: ctx.log }),
    ]) {
      app.use(router.routes());
    }
    const server = await listen(app.callback(), config.METRICS_PORT);
    closers.unshift(() => closeServer(server));
  }
  return closers;
}

/**
 * The access step's options, and with ACCESS_WEBHOOK_URL the notification queue, its sweep
 * scheduler and its own worker (apart from the event worker: a slow receiver holds up nothing).
 */
async function startNotifications(
  { config, dataSource, log, metrics }: RoleContext,
  redis: RedisConnection,
): Promise<{ access: AccessOptions; queue?: AccessNotificationsQueue; closers: Closers }> {
  const base: AccessOptions = {
    graceSeconds: config.ACCESS_GRACE_PERIOD_SECONDS,
    notify: config.ACCESS_WEBHOOK_URL !== undefined,
    invalidate: (customers) => publishAccessInvalidation(redis, config.KEY_PREFIX, customers),
  };
  if (!config.ACCESS_WEBHOOK_URL || !config.ACCESS_WEBHOOK_SECRET) return { access: base, closers: [] };
  const queue = createAccessNotificationsQueue(redis, config.KEY_PREFIX);
  const access: AccessOptions = {
    ...base,
    onChanged: (changes) => publishNotifications({ dataSource, queue }, changes),
  };
  await scheduleSweep(queue, config.ACCESS_SWEEP_INTERVAL_MS);
  const worker = createNotificationWorker(
    { dataSource, queue, log, url: config.ACCESS_WEBHOOK_URL, secret: config.ACCESS_WEBHOOK_SECRET, access },
    { connection: redis, prefix: config.KEY_PREFIX, concurrency: 10, metrics },
  );
  return { access, queue, closers: [() => worker.close(), () => queue.close()] };
}
