/**
 * GET /healthz (process alive) and GET /readyz (dependencies answer; 503 names the ones that failed).
 * Both are unauthenticated: a failure's own text (a database user, host and port) goes to the log,
 * never into the answer.
 */
import Router from '@koa/router';
import { pingRedis, RedisConnection } from '../runtime/redis';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { withTimeout } from '../runtime/timeout';

export interface HealthDeps {
  /** One Redis or a cluster (every master must answer). */
  redis: RedisConnection;
  /** Absent for roles that do not use PostgreSQL. */
  dataSource?: DataSource;
  log: Logger;
  timeoutMs?: number;
}

export function healthRoutes(deps: HealthDeps): Router {
  const router = new Router();
  const timeoutMs = deps.timeoutMs ?? 2000;
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks: Record<string, Promise<unknown>> = { redis: pingRedis(deps.redis) };
    if (deps.dataSource) checks.postgres = deps.dataSource.query('SELECT 1');
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check, timeoutMs, name);
          return [name, 'ok'] as const;
        } catch (error) {
          deps.log.warn({ err: error, service: name }, 'readiness check failed');
          return [name, 'failed'] as const;
        }
      }),
    );
    const failed = results.filter(([, state]) => state !== 'ok').map(([name]) => name);
    ctx.status = failed.length ? 503 : 200;
    ctx.body = {
      status: failed.length ? `not ready: ${failed.join(', ')} unreachable` : 'ready',
      checks: Object.fromEntries(results),
    };
  });
  return router;
}
