/**
 * Test databases: global setup migrates one template database per run; each test file clones
 * it (`CREATE DATABASE … TEMPLATE`), which is much faster than migrating, and drops it after.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** A fresh test database name that carries its creation time (see dropStaleDatabases). */
export function testDatabaseName(): string {
  return `billing_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Creation time encoded in a test database's name (`billing_tpl_<pid>_<t>`, `billing_test_<t>_<rand>`). */
export function createdAtOf(name: string): number | undefined {
  const match = /^billing_(?:tpl_\d+_([0-9a-z]+)|test_([0-9a-z]+)_[0-9a-f]+)$/.exec(name);
  const stamp = match?.[1] ?? match?.[2];
  return stamp ? parseInt(stamp, 36) : undefined;
}

/** Drops test databases left by runs that were killed before their teardown (older than `ageMs`). */
export async function dropStaleDatabases(ageMs: number): Promise<string[]> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  let names: string[];
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'billing%'`,
    );
    names = rows
      .map((r) => r.datname)
      .filter((n) => {
        const created = createdAtOf(n);
        return created !== undefined && Date.now() - created > ageMs;
      });
  } finally {
    await client.end();
  }
  for (const name of names) await dropDatabase(name);
  return names;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env.TEST_TEMPLATE_DB;
  if (!template) throw new Error('TEST_TEMPLATE_DB is not set: run the tests through jest (global setup)');
  const name = testDatabaseName();
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      break;
    } catch (error) {
      // 55006: the template is briefly in use by a concurrent clone from another test file.
      if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}
