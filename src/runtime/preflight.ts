/**
 * Start-up checks: every unreachable dependency is reported on one clear line that says what was
 * tried and how to start it, then the caller exits non-zero. Passwords in URLs are masked.
 */
import { Cluster, Redis } from 'ioredis';
import { maskUrl } from '../lib/mask-url';
import { withTimeout } from './timeout';
import { ensureDatabase } from '../db/database';
import { describeTarget, pingRedis, RedisConnection, RedisTarget } from './redis';

export const HOW_TO_START = 'start it with `docker compose up -d` or point the variable at a running server';

/** A connection that tries once: no reconnects, no retries, short timeouts. */
function probe(target: RedisTarget): RedisConnection {
  const once = { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000, disconnectTimeout: 50 };
  if ('url' in target) return new Redis(target.url, { ...once, lazyConnect: true });
  return new Cluster(
    target.clusterNodes.map((n) => ({ ...n })),
    { lazyConnect: true, clusterRetryStrategy: () => null, redisOptions: once },
  );
}

/** Returns one line per dependency that cannot be reached (empty when all answer). */
export async function preflight(databaseUrl: string, redis: RedisTarget): Promise<string[]> {
  const problems: string[] = [];
  try {
    await withTimeout(ensureDatabase(databaseUrl), 8000, 'connect');
  } catch (error) {
    problems.push(
      `PostgreSQL unreachable at DATABASE_URL=${maskUrl(databaseUrl)} (${(error as Error).message}); ${HOW_TO_START}`,
    );
  }
  const client = probe(redis);
  let cause: string | undefined;
  client.on('error', (error: Error) => {
    cause ??= error.message;
  }); // reported below, once
  try {
    // On a cluster every master must answer: a missing one would fail a share of the requests.
    await withTimeout(
      client.connect().then(() => pingRedis(client)),
      5000,
      'connect',
    );
  } catch (error) {
    const what = 'clusterNodes' in redis ? 'Redis Cluster unreachable or incomplete' : 'Redis unreachable';
    problems.push(`${what} at ${describeTarget(redis)} (${cause ?? (error as Error).message}); ${HOW_TO_START}`);
  } finally {
    client.disconnect();
  }
  return problems;
}
