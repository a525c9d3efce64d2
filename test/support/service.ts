/**
 * Runs the real service in-process for integration tests: its own database (cloned from the
 * template), its own Redis key prefix, a Stripe stand-in, and a silent logger. `stop()` tears
 * everything down and removes the database and keys.
 */
import { loadConfig, Config } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import { RunningService, startService } from '../../src/service';
import { http, HttpResponse } from '../../stand-in/http-client';
import { waitFor } from '../../src/lib/wait';
import { createTestDatabase, TestDatabase } from './postgres';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from './redis';
import { signedDelivery } from '../../stand-in/events';
import { StripeStandIn } from '../../stand-in/index';

export const WEBHOOK_SECRET = 'whsec_test_primary';
export const API_KEY = 'test-api-key-0123456789';

export interface TestService {
  url: string;
  config: Config;
  service: RunningService;
  db: TestDatabase;
  standIn: StripeStandIn;
  prefix: string;
  /** Signs `event` with WEBHOOK_SECRET (or `secret`) and POSTs it to /webhooks/stripe. */
  deliver(event: object, opts?: { secret?: string; timestamp?: number }): Promise<HttpResponse>;
  /** GET/POST under /v1 with the test bearer token. */
  v1(method: string, path: string, body?: unknown): Promise<HttpResponse>;
  stop(): Promise<void>;
}

/** `log` replaces the silent logger (a test that reads what the service logs). */
export async function startTestService(env: Record<string, string> = {}, log?: Logger): Promise<TestService> {
  const db = await createTestDatabase();
  const standIn = await StripeStandIn.start();
  const prefix = testPrefix();
  const config = loadConfig({
    ROLE: 'all',
    PORT: '0',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    KEY_PREFIX: prefix,
    STRIPE_SECRET_KEY: 'sk_test_standin',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_URL: standIn.url,
    API_KEYS: API_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WORKER_CONCURRENCY: '10',
    // Jest runs two files at once, each with one or two services: stay far below max_connections.
    DATABASE_POOL_SIZE: '6',
    // The scheduled replay would call the stand-in's Events API at start-up; tests opt in.
    REPLAY_INTERVAL_MS: '0',
    // Likewise the scheduled prune of processed_events (test/ops/prune.int.test.ts schedules its own).
    PROCESSED_EVENTS_PRUNE_INTERVAL_MS: '0',
    // And the scheduled usage reconciliation (tests run it themselves).
    USAGE_RECONCILE_INTERVAL_MS: '0',
    ...env,
  });
  const service = await startService(config, log ?? createLogger(config.LOG_LEVEL));
  const url = `http://127.0.0.1:${service.port}`;
  return {
    url,
    config,
    service,
    db,
    standIn,
    prefix,
    deliver: (event, opts = {}) => {
      const { body, signature } = signedDelivery(event, opts.secret ?? WEBHOOK_SECRET, opts.timestamp);
      return http('POST', `${url}/webhooks/stripe`, {
        body,
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      });
    },
    v1: (method, path, body) =>
      http(method, `${url}/v1${path}`, {
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    stop: async () => {
      await service.stop();
      await standIn.close();
      await db.drop();
      await deleteKeys(prefix);
    },
  };
}

/** Waits until the Stripe event queue has nothing waiting, active or delayed. */
export async function settle(t: TestService, timeoutMs = 15_000): Promise<void> {
  const queue = t.service.eventQueues;
  if (!queue) throw new Error('settle() needs the api role (it reads the queue)');
  await waitFor(
    async () => {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      return Object.values(c).every((n) => n === 0);
    },
    timeoutMs,
    'the stripe-events queue to drain',
  );
}

/** Rows of a table as plain objects, ordered by stripe_id. */
export async function rows(t: TestService, table: string, columns = '*'): Promise<Record<string, unknown>[]> {
  return t.service.dataSource.query(`SELECT ${columns} FROM ${table} ORDER BY 1`);
}
