/**
 * The api role: the Koa app on PORT over a producer Redis connection (fail fast), the Stripe event
 * queues it enqueues to, every queue Bull Board and /metrics show, the usage client, and the access
 * cache kept right by the access change feed. Returns its closers in shutdown order: stop accepting
 * requests, close the queues, close Redis.
 */
import type Koa from 'koa';
import type { Queue } from 'bullmq';
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { AccessCache } from '../access/cache';
import { FEED_BLOCK_MS, followAccessChanges } from '../access/change-feed';
import type { AccessState } from '../access/inputs';
import { createApp } from '../api/app';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { createAccessNotificationsQueue } from '../queues/access-notifications-queue';
import { createMaintenanceQueue } from '../queues/maintenance-queue';
import { createStripeEventQueues, StripeEventQueues } from '../queues/stripe-events-queue';
import { createThinEventsQueue } from '../queues/thin-events-queue';
import { createUsageDrainQueue } from '../queues/usage-drain-queue';
import { createUsageReconcileQueue } from '../queues/usage-reconcile-queue';
import { connectRedis, createBlockingReaderRedis, createProducerRedis, quitRedis, redisTarget } from '../runtime/redis';
import { UsageClient } from '../usage/client';
import { customerUsage } from '../usage/usage-query';
import { closeServer, listen } from './http-server';

export interface ApiRole {
  port: number;
  /** The Koa app on PORT (its routers are what the OpenAPI description is checked against). */
  app: Koa;
  eventQueues: StripeEventQueues;
  /** Every queue Bull Board and the queue-depth metrics show. */
  queues: Queue[];
  closers: Array<() => Promise<unknown>>;
}

export interface RoleContext {
  config: Config;
  dataSource: DataSource;
  stripe: Stripe;
  log: Logger;
  metrics: Metrics;
}

export async function startApiRole({ config, dataSource, stripe, log, metrics }: RoleContext): Promise<ApiRole> {
  const target = redisTarget(config);
  const redis = createProducerRedis(target);
  await connectRedis(redis);
  const closers: Array<() => Promise<unknown>> = [];
  const eventQueues = createStripeEventQueues(redis, config.KEY_PREFIX, config.EVENT_QUEUE_PARTITIONS);
  const thinEvents = createThinEventsQueue(redis, config.KEY_PREFIX);
  const usage = new UsageClient({
    redis,
    keyPrefix: config.KEY_PREFIX,
    windowSeconds: config.USAGE_WINDOW_SECONDS,
    dedupeSeconds: config.USAGE_DEDUPE_SECONDS,
  });
  // Every queue Bull Board and /metrics show: add new queues to this list.
  const queues: Queue[] = [
    ...eventQueues.partitions,
    thinEvents.queue,
    createMaintenanceQueue(redis, config.KEY_PREFIX),
    createUsageDrainQueue(redis, config.KEY_PREFIX),
    createUsageReconcileQueue(redis, config.KEY_PREFIX),
  ];
  if (config.ACCESS_WEBHOOK_URL) queues.push(createAccessNotificationsQueue(redis, config.KEY_PREFIX));
  // Without a listener BullMQ prints connection errors to the console; they also surface as 503s.
  for (const q of queues) q.on('error', (error) => log.warn({ queue: q.name, err: error }, 'queue connection error'));
  const usageQuery = { redis, dataSource, keyPrefix: config.KEY_PREFIX, windowSeconds: config.USAGE_WINDOW_SECONDS };
  const accessCache = new AccessCache<AccessState>({
    ttlMs: config.ACCESS_CACHE_TTL_MS,
    maxEntries: config.ACCESS_CACHE_MAX_ENTRIES,
  });
  metrics.watchAccessCache(accessCache);
  if (config.ACCESS_CACHE_TTL_MS > 0) {
    const feedRedis = createBlockingReaderRedis(target, FEED_BLOCK_MS);
    await connectRedis(feedRedis);
    closers.push(followAccessChanges(feedRedis, config.KEY_PREFIX, accessCache, log));
  }
  const app = createApp({
    config,
    eventQueues,
    thinEvents,
    redis,
    dataSource,
    log,
    usage,
    metrics,
    queues,
    stripe,
    accessCache,
    customerUsage: (customer, range) => customerUsage(usageQuery, customer, range),
  });
  const server = await listen(app.callback(), config.PORT);
  const port = (server.address() as { port: number }).port;
  closers.push(
    () => closeServer(server),
    ...queues.map((q) => () => q.close()),
    () => quitRedis(redis),
  );
  log.info({ port }, 'api listening');
  return { port, app, eventQueues, queues, closers };
}
