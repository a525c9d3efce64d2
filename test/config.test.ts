import { ConfigError, loadConfig, loadMigrateConfig } from '../src/config';

const required = { STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_one' };

test('defaults follow the contract', () => {
  const c = loadConfig(required);
  expect(c).toMatchObject({
    ROLE: 'all',
    PORT: 3000,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/billing',
    REDIS_URL: 'redis://127.0.0.1:6379',
    KEY_PREFIX: 'billing',
    API_KEYS: [],
    USAGE_FLUSH_INTERVAL_MS: 3_600_000,
    ACCESS_GRACE_PERIOD_SECONDS: 0,
    STRIPE_WEBHOOK_SECRET: ['whsec_one'],
  });
  expect(c.STRIPE_API_URL).toBeUndefined();
});

test('several webhook secrets and API keys are comma-separated', () => {
  const c = loadConfig({ ...required, STRIPE_WEBHOOK_SECRET: 'whsec_a, whsec_b', API_KEYS: 'k1,k2' });
  expect(c.STRIPE_WEBHOOK_SECRET).toEqual(['whsec_a', 'whsec_b']);
  expect(c.API_KEYS).toEqual(['k1', 'k2']);
});

test('every problem is listed at once, without echoing secrets', () => {
  let error: unknown;
  try {
    loadConfig({
      ROLE: 'both',
      PORT: 'x',
      STRIPE_SECRET_KEY: 'pk_live_SECRETVALUE',
      STRIPE_WEBHOOK_SECRET: 'nope_SECRET2',
      USAGE_FLUSH_INTERVAL_MS: '10',
    });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems.join('\n');
  for (const name of ['ROLE', 'PORT', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'USAGE_FLUSH_INTERVAL_MS']) {
    expect(problems).toContain(name);
  }
  expect((error as Error).message).not.toContain('SECRETVALUE');
  expect((error as Error).message).not.toContain('SECRET2');
});

test('missing Stripe variables are named', () => {
  expect(() => loadConfig({})).toThrow(
    /STRIPE_SECRET_KEY[\s\S]*STRIPE_WEBHOOK_SECRET|STRIPE_WEBHOOK_SECRET[\s\S]*STRIPE_SECRET_KEY/,
  );
});

test('ADMIN_USER without ADMIN_PASSWORD is refused', () => {
  expect(() => loadConfig({ ...required, ADMIN_USER: 'ops' })).toThrow(/ADMIN_USER/);
});

test('migrate needs only the database', () => {
  expect(loadMigrateConfig({})).toEqual({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/billing' });
});

test('REDIS_CLUSTER_NODES: host:port list; every bad entry is named with the other problems', () => {
  const c = loadConfig({
    ...required,
    REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001,[::1]:7002',
    EVENT_QUEUE_PARTITIONS: '6',
  });
  expect(c.REDIS_CLUSTER_NODES).toEqual([
    { host: '10.0.0.1', port: 7000 },
    { host: 'redis-b.internal', port: 7001 },
    { host: '::1', port: 7002 },
  ]);
  expect(c.EVENT_QUEUE_PARTITIONS).toBe(6);
  expect(loadConfig(required).REDIS_CLUSTER_NODES).toBeUndefined();
  expect(loadConfig(required).EVENT_QUEUE_PARTITIONS).toBe(1);
  let error: unknown;
  try {
    loadConfig({
      ...required,
      REDIS_CLUSTER_NODES: '10.0.0.1:7000,nohost,h:99999,:1',
      EVENT_QUEUE_PARTITIONS: '0',
      PORT: 'x',
    });
  } catch (e) {
    error = e;
  }
  const problems = (error as ConfigError).problems.join('\n');
  expect(problems).toMatch(/REDIS_CLUSTER_NODES: not host:port: "nohost", "h:99999", ":1"/);
  expect(problems).toContain('EVENT_QUEUE_PARTITIONS');
  expect(problems).toContain('PORT');
});

test('on a cluster KEY_PREFIX carries no hash tag (each queue has its own)', () => {
  expect(() => loadConfig({ ...required, REDIS_CLUSTER_NODES: '127.0.0.1:7000', KEY_PREFIX: '{billing}' })).toThrow(
    /KEY_PREFIX: must not contain "\{"/,
  );
  expect(loadConfig({ ...required, KEY_PREFIX: '{billing}' }).KEY_PREFIX).toBe('{billing}');
});

test("processed_events retention must outlast Stripe's 30-day history plus 3 days of retries", () => {
  expect(loadConfig(required)).toMatchObject({
    PROCESSED_EVENTS_RETENTION_DAYS: 45,
    PROCESSED_EVENTS_PRUNE_INTERVAL_MS: 3_600_000,
    COMPLETED_JOB_RETENTION_SECONDS: 3600,
  });
  expect(loadConfig({ ...required, PROCESSED_EVENTS_RETENTION_DAYS: '34' }).PROCESSED_EVENTS_RETENTION_DAYS).toBe(34);
  expect(() => loadConfig({ ...required, PROCESSED_EVENTS_RETENTION_DAYS: '33' })).toThrow(
    /PROCESSED_EVENTS_RETENTION_DAYS: must be at least 34: Stripe keeps events 30 days and retries deliveries 3 more/,
  );
  expect(() => loadConfig({ ...required, PROCESSED_EVENTS_PRUNE_INTERVAL_MS: '10' })).toThrow(
    /PROCESSED_EVENTS_PRUNE_INTERVAL_MS/,
  );
});

test('PUBLIC_URL is optional and must be an http(s) URL', () => {
  expect(loadConfig(required).PUBLIC_URL).toBeUndefined();
  expect(loadConfig({ ...required, PUBLIC_URL: 'https://billing.example.com' }).PUBLIC_URL).toBe(
    'https://billing.example.com',
  );
  expect(() => loadConfig({ ...required, PUBLIC_URL: 'billing.example.com' })).toThrow(/PUBLIC_URL/);
});

test('usage reconciliation: defaults, 0 turns the schedule off, the ledger keeps at least 35 days', () => {
  expect(loadConfig(required)).toMatchObject({
    USAGE_RECONCILE_INTERVAL_MS: 3_600_000,
    USAGE_RECONCILE_SETTLE_SECONDS: 7200,
    USAGE_LEDGER_RETENTION_DAYS: 400,
  });
  expect(loadConfig({ ...required, USAGE_RECONCILE_INTERVAL_MS: '0' }).USAGE_RECONCILE_INTERVAL_MS).toBe(0);
  expect(() => loadConfig({ ...required, USAGE_RECONCILE_INTERVAL_MS: '500' })).toThrow(/USAGE_RECONCILE_INTERVAL_MS/);
  expect(() => loadConfig({ ...required, USAGE_RECONCILE_SETTLE_SECONDS: '-1' })).toThrow(
    /USAGE_RECONCILE_SETTLE_SECONDS/,
  );
  expect(loadConfig({ ...required, USAGE_LEDGER_RETENTION_DAYS: '35' }).USAGE_LEDGER_RETENTION_DAYS).toBe(35);
  expect(() => loadConfig({ ...required, USAGE_LEDGER_RETENTION_DAYS: '34' })).toThrow(
    /USAGE_LEDGER_RETENTION_DAYS: must be at least 35/,
  );
});

test('NODE_ENV=production: every API key and the admin password have at least 16 characters, both named at once', () => {
  const production = { ...required, NODE_ENV: 'production', ADMIN_USER: 'ops' };
  let error: unknown;
  try {
    loadConfig({ ...production, API_KEYS: 'long-enough-key-0123456,SHORTKEY', ADMIN_PASSWORD: 'hunter2' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems.join('\n');
  expect(problems).toMatch(/API_KEYS: .*16 characters/);
  expect(problems).toMatch(/ADMIN_PASSWORD: .*16 characters/);
  expect(problems).not.toMatch(/SHORTKEY|hunter2/);
  const ok = loadConfig({ ...production, API_KEYS: 'a'.repeat(16), ADMIN_PASSWORD: 'b'.repeat(16) });
  expect(ok).toMatchObject({ NODE_ENV: 'production', API_KEYS: ['a'.repeat(16)] });
  // Elsewhere (development, tests) short values still work.
  expect(loadConfig({ ...required, API_KEYS: 'dev', ADMIN_USER: 'a', ADMIN_PASSWORD: 'b' }).API_KEYS).toEqual(['dev']);
});
