/**
 * The composition root: wires the roles named by ROLE (roles/api.ts, roles/worker.ts) around one
 * PostgreSQL pool, one Stripe client and one metrics registry, and tears them down in order:
 * stop accepting requests → let in-flight jobs finish → close queues and Redis → close PostgreSQL.
 * Used by main.ts, and by the tests, bench, chaos and demo to run the real service in-process.
 */
import type { Queue, Worker } from 'bullmq';
import type Koa from 'koa';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { createDataSource } from './db/data-source';
import type { Logger } from './logger';
import { createMetrics, instrumentStripe, Metrics } from './metrics';
import type { AccessNotificationsQueue } from './queues/access-notifications-queue';
import type { StripeEventQueues } from './queues/stripe-events-queue';
import { startApiRole } from './roles/api';
import type { UsageDrainRole } from './roles/usage-drain';
import { startWorkerRole } from './roles/worker';
import { createStripeClient } from './stripe';

export interface RunningService {
  /** The bound HTTP port (api role), useful when PORT=0. */
  port?: number;
  /** The api role's Koa app. */
  app?: Koa;
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
  const metrics = createMetrics();
  instrumentStripe(stripe, metrics);
  const ctx = { config, dataSource, stripe, log, metrics };
  const closers: Array<() => Promise<unknown>> = [];
  const service: RunningService = { dataSource, metrics, queues: [], eventWorkers: [], stop: async () => {} };
  if (config.ROLE === 'api' || config.ROLE === 'all') {
    const api = await startApiRole(ctx);
    Object.assign(service, { port: api.port, app: api.app, eventQueues: api.eventQueues, queues: api.queues });
    closers.push(...api.closers);
  }
  if (config.ROLE === 'worker' || config.ROLE === 'all') {
    const worker = await startWorkerRole(ctx);
    Object.assign(service, {
      eventWorkers: worker.eventWorkers,
      usage: worker.usage,
      notifications: worker.notifications,
    });
    closers.push(...worker.closers);
  }
  closers.push(() => dataSource.destroy());
  service.stop = async () => {
    for (const close of closers) {
      await close().catch((error: Error) => log.warn({ err: error }, 'shutdown step failed'));
    }
  };
  return service;
}
