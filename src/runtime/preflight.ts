/**
 * Start-up checks: every unreachable dependency is reported on one clear line that says what was
 * tried and how to start it, then the caller exits non-zero. Passwords in URLs are masked.
 */
import { Redis } from 'ioredis';
import { withTimeout } from './timeout';
import { ensureDatabase } from '../db/database';

export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

export const HOW_TO_START = 'start it with `docker compose up -d` or point the variable at a running server';

/** Returns one line per dependency that cannot be reached (empty when all answer). */
export async function preflight(databaseUrl: string, redisUrl: string): Promise<string[]> {
  const problems: string[] = [];
  try {
    await withTimeout(ensureDatabase(databaseUrl), 8000, 'connect');
  } catch (error) {
    problems.push(`PostgreSQL unreachable at DATABASE_URL=${maskUrl(databaseUrl)} (${(error as Error).message}); ${HOW_TO_START}`);
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000, disconnectTimeout: 50 });
  let cause: string | undefined;
  redis.on('error', (error: Error) => { cause ??= error.message; }); // reported below, once
  try {
    await withTimeout(redis.connect().then(() => redis.ping()), 5000, 'connect');
  } catch (error) {
    problems.push(`Redis unreachable at REDIS_URL=${maskUrl(redisUrl)} (${cause ?? (error as Error).message}); ${HOW_TO_START}`);
  } finally {
    redis.disconnect();
  }
  return problems;
}
