/** ioredis connections for the two kinds of user: request paths (fail fast) and BullMQ workers. */
import { Redis } from 'ioredis';

/**
 * For the api role and producers: no offline queue, so a command during an outage fails at once
 * instead of piling up (the webhook route also puts a timeout around the enqueue).
 */
export function createProducerRedis(url: string): Redis {
  // commandTimeout: a socket that silently stops answering must not hold the enqueue batch forever.
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 3000, commandTimeout: 5000, lazyConnect: true });
}

/** For BullMQ workers: BullMQ requires maxRetriesPerRequest null for its blocking commands. */
export function createWorkerRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectTimeout: 3000, lazyConnect: true });
}

/** Connects and pings once, giving up after `timeoutMs` (start-up check). */
export async function connectRedis(redis: Redis): Promise<void> {
  await redis.connect();
  await redis.ping();
}
