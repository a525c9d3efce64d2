/** Migrations: entities and migrations agree, several processes may migrate at once, a missing database is created. */
import { Client } from 'pg';
import { createDataSource } from '../../src/db/data-source';
import { ensureDatabase, migrateWithLock } from '../../src/db/database';
import { preflight } from '../../src/runtime/preflight';
import { databaseUrl, dropDatabase, testDatabaseName } from '../support/postgres';

const name = testDatabaseName();
const url = databaseUrl(name);
afterAll(() => dropDatabase(name));

test('a missing database is created, also when several processes race to create it', async () => {
  await dropDatabase(name);
  await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.end();
});

test('three processes migrating at once apply every migration exactly once', async () => {
  const sources = [1, 2, 3].map(() => createDataSource(url, { poolSize: 2 }));
  await Promise.all(sources.map((s) => s.initialize()));
  try {
    const applied = await Promise.all(sources.map((s) => migrateWithLock(url, s)));
    const total = sources[0].migrations.length;
    expect(applied.flat()).toHaveLength(total);
    expect(await sources[0].query('SELECT count(*)::int AS n FROM typeorm_migrations')).toEqual([{ n: total }]);
  } finally {
    await Promise.all(sources.map((s) => s.destroy()));
  }
});

test('the migrations produce exactly the schema the entities describe (no drift)', async () => {
  const source = createDataSource(url, { poolSize: 1 });
  await source.initialize();
  try {
    const pending = await source.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  } finally {
    await source.destroy();
  }
});

test('the contract tables and fixed columns exist', async () => {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  await client.end();
  const has = (table: string, column: string) => rows.some((r) => r.table_name === table && r.column_name === column);
  const fixed: Record<string, string[]> = {
    processed_events: ['stripe_event_id', 'type'],
    customers: ['stripe_id', 'email'],
    products: ['stripe_id', 'name', 'active'],
    prices: ['stripe_id', 'stripe_product_id', 'unit_amount', 'currency', 'active'],
    subscriptions: ['stripe_id', 'stripe_customer_id', 'status', 'cancel_at_period_end'],
    subscription_items: ['stripe_id', 'stripe_subscription_id', 'stripe_price_id', 'quantity', 'current_period_end'],
    invoices: ['stripe_id', 'stripe_customer_id', 'stripe_subscription_id', 'status', 'amount_due', 'amount_paid'],
  };
  const missing = Object.entries(fixed).flatMap(([table, cols]) =>
    cols.filter((c) => !has(table, c)).map((c) => `${table}.${c}`),
  );
  expect(missing).toEqual([]);
});

test('start-up names every unreachable service on one line with how to start it', async () => {
  const lines = await preflight('postgres://postgres@127.0.0.1:1/billing', { url: 'redis://:hunter2@127.0.0.1:1' });
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(
    /^PostgreSQL unreachable at DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:1\/billing .*docker compose up -d/,
  );
  expect(lines[1]).toMatch(/^Redis unreachable at REDIS_URL=redis:\/\/:\*\*\*@127\.0\.0\.1:1 .*docker compose up -d/);
  expect(lines.join('\n')).not.toContain('hunter2');
});
