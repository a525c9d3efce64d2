/**
 * The demo's stack: the project's own Stripe stand-in (test/support, compiled into dist) and the
 * real service in-process (ROLE=all) against the local PostgreSQL and Redis, configured with
 * demo credentials. Nothing reaches the internet.
 */
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { createDataSource } from '../src/db/data-source';
import { billingMeter } from '../stand-in/account-objects';
import { StripeStandIn } from '../stand-in/index';
import { Config, loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { ensureDatabase, migrateWithLock } from '../src/db/database';
import { RunningService, startService } from '../src/service';

export const DEMO_ADMIN = { user: 'admin', password: 'demo' };
export const DEMO_API_KEY = 'demo-api-key';
export const DEMO_WEBHOOK_SECRET = 'whsec_demo';

export interface DemoStackOptions {
  databaseUrl: string;
  redisUrl: string;
  keyPrefix: string;
  port: number;
  /** Drop and recreate the database first (the CLI does; tests pass a fresh one). */
  freshDatabase?: boolean;
  logLevel?: string;
}

export interface DemoStack {
  standIn: StripeStandIn;
  config: Config;
  service: RunningService;
  baseUrl: string;
  stop(): Promise<void>;
}

async function recreateDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  const name = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await ensureDatabase(url);
}

async function clearPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length) await redis.unlink(...keys);
    }
  } finally {
    await redis.quit();
  }
}

export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  if (options.freshDatabase) await recreateDatabase(options.databaseUrl);
  const migrations = createDataSource(options.databaseUrl, { poolSize: 1 });
  await migrations.initialize();
  await migrateWithLock(options.databaseUrl, migrations);
  await migrations.destroy();
  await clearPrefix(options.redisUrl, options.keyPrefix);

  const standIn = await StripeStandIn.start();
  const config = loadConfig({
    ROLE: 'all',
    PORT: String(options.port),
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    KEY_PREFIX: options.keyPrefix,
    STRIPE_SECRET_KEY: 'sk_test_demo',
    STRIPE_WEBHOOK_SECRET: DEMO_WEBHOOK_SECRET,
    STRIPE_API_URL: standIn.url,
    API_KEYS: DEMO_API_KEY,
    ADMIN_USER: DEMO_ADMIN.user,
    ADMIN_PASSWORD: DEMO_ADMIN.password,
    // The story drains and reconciles usage itself; the scheduled replay would only add noise to the board.
    USAGE_FLUSH_INTERVAL_MS: '3600000',
    REPLAY_INTERVAL_MS: '0',
    USAGE_RECONCILE_INTERVAL_MS: '0',
    // The story's usage is hours old and the stand-in's summaries do not lag: compare at once.
    USAGE_RECONCILE_SETTLE_SECONDS: '0',
    LOG_LEVEL: options.logLevel ?? 'warn',
  });
  const service = await startService(config, createLogger(config.LOG_LEVEL));
  // The meter the story's metered price uses, and what `npm run setup` arranges in a real account:
  // an event destination sending meter errors here.
  standIn.put(billingMeter({ id: 'mtr_demo_api_requests', event_name: 'api_requests' }));
  standIn.setThinEventDestination({
    url: `http://127.0.0.1:${service.port}/webhooks/stripe`,
    secret: DEMO_WEBHOOK_SECRET,
  });
  return {
    standIn,
    config,
    service,
    baseUrl: `http://127.0.0.1:${service.port}`,
    stop: async () => {
      await service.stop();
      await standIn.close();
      await clearPrefix(options.redisUrl, options.keyPrefix);
    },
  };
}
