/**
 * Wires the roles named by ROLE from a validated config, and tears them down in order:
 * stop accepting requests → let in-flight jobs finish → close queues and Redis → close PostgreSQL.
 * Used by main.ts, and by the tests and demo to run the real service in-process.
 */
import { createServer, RequestListener, Server } from 'node:http';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../ormconfig';
import { createApp } from './api/app';
import type { Config } from './config';
import { createStripeEventWorker } from './jobs/worker';
import type { Logger } from './logger';
import { createStripeEventsQueue, StripeEventsQueue } from './queues/stripe-events-queue';
import { connectRedis, createProducerRedis, createWorkerRedis } from './runtime/redis';
import { createStripeClient } from './stripe';

export interface RunningService {
  /** The bound HTTP port (api role), useful when PORT=0. */
  port?: number;
  dataSource: DataSource;
  queue?: StripeEventsQueue;
  worker?: Worker;
  stop(): Promise<void>;
}

export async function startService(config: Config, log: Logger): Promise<RunningService> {
  const dataSource = createDataSource(config.DATABASE_URL);
  await dataSource.initialize();
  const stripe = createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL });
  const closers: Array<() => Promise<unknown>> = [];
  const service: RunningService = { dataSource, stop: async () => {} };

  if (config.ROLE === 'api' || config.ROLE === 'all') {
    const redis = createProducerRedis(config.REDIS_URL);
    await connectRedis(redis);
    const queue = createStripeEventsQueue(redis, config.KEY_PREFIX);
    const app = createApp({ config, queue, redis, dataSource, log });
    const server = await listen(app.callback(), config.PORT);
    service.port = (server.address() as { port: number }).port;
    service.queue = queue;
    closers.push(() => closeServer(server), () => queue.close(), () => quit(redis));
    log.info({ port: service.port }, 'api listening');
  }
  if (config.ROLE === 'worker' || config.ROLE === 'all') {
    const redis = createWorkerRedis(config.REDIS_URL);
    await connectRedis(redis);
    const worker = createStripeEventWorker(
      { dataSource, stripe, log },
      { connection: redis, prefix: config.KEY_PREFIX, concurrency: config.WORKER_CONCURRENCY },
    );
    service.worker = worker;
    // Worker.close() waits for in-flight jobs; it must come before PostgreSQL closes.
    closers.push(() => worker.close(), () => quit(redis));
    log.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker started');
  }
  closers.push(() => dataSource.destroy());
  service.stop = async () => {
    for (const close of closers) await close().catch((error: Error) => log.warn({ err: error.message }, 'shutdown step failed'));
  };
  return service;
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
