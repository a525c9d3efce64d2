/**
 * Reads what the Redis checks need, changing nothing: can the service's own connection reach Redis,
 * and which meter names the usage counters hold (pending and claimed hashes). Keys are found with
 * SCAN by pattern (`<KEY_PREFIX>:usage:*`, hashes only) rather than by exact name, so a change of the
 * key layout under that prefix does not hide counters; on a cluster every master is scanned.
 */
import { Cluster, Redis } from 'ioredis';
import { connectRedis, createProducerRedis, type RedisTarget } from '../../runtime/redis';
import { withTimeout } from '../../runtime/timeout';
import { meterNamesOfFields } from './meters';

export type RedisReading = { error: string } | { countedMeters: Set<string> };

export async function readRedis(target: RedisTarget, keyPrefix: string): Promise<RedisReading> {
  const redis: Redis | Cluster = createProducerRedis(target);
  let cause: string | undefined;
  redis.on('error', (error: Error) => {
    cause ??= error.message;
  }); // reported below, once
  try {
    await withTimeout(connectRedis(redis), 5000, 'connect');
    return { countedMeters: await countedMeterNames(redis, keyPrefix) };
  } catch (error) {
    return { error: cause ?? (error as Error).message };
  } finally {
    redis.disconnect();
  }
}

/** Meter names of every field of every usage hash under the prefix. */
async function countedMeterNames(redis: Redis | Cluster, keyPrefix: string): Promise<Set<string>> {
  const names = new Set<string>();
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    for await (const keys of node.scanStream({
      match: `${keyPrefix}:usage:*`,
      type: 'hash',
      count: 1000,
    }) as AsyncIterable<string[]>) {
      for (const key of keys) {
        for await (const flat of node.hscanStream(key, { count: 1000 }) as AsyncIterable<string[]>) {
          // HSCAN yields field, value, field, value, …
          for (const name of meterNamesOfFields(flat.filter((_, i) => i % 2 === 0))) names.add(name);
        }
      }
    }
  }
  return names;
}
