/**
 * GET /readyz when its dependencies are unreachable: 503 naming which service failed, and nothing
 * of the error itself (a database user, host and port) in an answer anyone may read; the details go
 * to the log. Real clients against closed ports, nothing mocked.
 */
import Koa from 'koa';
import { Writable } from 'node:stream';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { healthRoutes } from '../../src/api/health';
import { createProducerRedis } from '../../src/runtime/redis';
import { http } from '../../stand-in/http-client';

test('503 names the failed services, the answer holds no error text, the log does', async () => {
  const lines: string[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const redis = createProducerRedis({ url: 'redis://127.0.0.1:1' });
  redis.on('error', () => undefined);
  const dataSource = new DataSource({ type: 'postgres', url: 'postgres://secret_user@127.0.0.1:1/billing_ready' });
  const app = new Koa();
  const router = healthRoutes({ redis, dataSource, log, timeoutMs: 2000 });
  app.use(router.routes());
  const server = app.listen(0);
  try {
    const { port } = server.address() as { port: number };
    const res = await http('GET', `http://127.0.0.1:${port}/readyz`);
    expect(res.status).toBe(503);
    expect(res.json).toEqual({
      status: 'not ready: redis, postgres unreachable',
      checks: { redis: 'failed', postgres: 'failed' },
    });
    expect(res.text).not.toMatch(/secret_user|127\.0\.0\.1|:1\b|ECONNREFUSED|billing_ready/);
    const logged = lines.join('\n');
    expect(logged).toMatch(/readiness check failed/);
    expect(logged).toMatch(/redis/);
    expect(logged).toMatch(/postgres/);
  } finally {
    server.close();
    redis.disconnect();
  }
});
