/**
 * PostgreSQL start-up: create the database named in DATABASE_URL when missing, and apply
 * pending migrations under a session advisory lock so that several processes starting at once
 * run them one after another (the later ones find nothing pending).
 */
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

// Arbitrary constant shared by every process of this service: "billing migrations".
const MIGRATION_LOCK_KEY = 727_465_001;

/** Creates the database of `url` if it does not exist (safe when raced by other processes). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
      // 42P04 duplicate_database / 23505: another process created it between our check and create.
      if (error.code !== '42P04' && error.code !== '23505') throw error;
    });
  } finally {
    await client.end();
  }
}

/** Runs pending migrations while holding the migration advisory lock; returns their names. */
export async function migrateWithLock(url: string, dataSource: DataSource): Promise<string[]> {
  const lock = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}
