/**
 * Reads what the PostgreSQL checks need, changing nothing: can the server be reached, does the
 * database exist, which migrations it recorded, the meter names of usage already sent, and what
 * reconciliation found.
 */
import { Client } from 'pg';
import { migrations } from '../../../migrations';
import { withTimeout } from '../../runtime/timeout';
import { readUsageConfirmation, type UsageConfirmationState } from '../../usage/reconcile-ledger';
import { STRIPE_PAST_LIMIT_S } from '../../usage/window';
import type { DatabaseFacts } from './infrastructure';

// TypeORM records a migration under its `name` property, else its class name.
export const knownMigrationNames = (): string[] => migrations.map((M) => (new M() as { name?: string }).name ?? M.name);

const MIGRATIONS_TABLE = 'typeorm_migrations'; // ormconfig.ts: migrationsTableName

export interface DatabaseReading {
  facts: DatabaseFacts;
  /** Distinct `usage_reports.meter`; undefined when the database could not be read. */
  sentMeters?: string[];
  /** What reconciliation stored (undefined when the database could not be read). */
  usage?: UsageConfirmationState;
}

export async function readDatabase(url: string): Promise<DatabaseReading> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined); // a dropped connection surfaces as the failing query below
  try {
    await withTimeout(client.connect(), 8000, 'connect');
  } catch (error) {
    await client.end().catch(() => undefined);
    // 3D000 invalid_catalog_name: the server answers, the database does not exist yet.
    if ((error as { code?: string }).code === '3D000')
      return { facts: { kind: 'missing', database: client.database ?? '' }, sentMeters: [] };
    return { facts: { kind: 'unreachable', error: (error as Error).message } };
  }
  try {
    const version = await client.query<{ server_version: string }>('SHOW server_version');
    const applied = await rowsOrNone<{ name: string }>(client, `SELECT name FROM ${MIGRATIONS_TABLE}`);
    const meters = await rowsOrNone<{ meter: string }>(client, 'SELECT DISTINCT meter FROM usage_reports');
    const since = Math.floor(Date.now() / 1000) - STRIPE_PAST_LIMIT_S;
    const usage = await readUsageConfirmation((sql, params) => rowsOrNone(client, sql, params), since);
    return {
      facts: {
        kind: 'ok',
        serverVersion: version.rows[0].server_version.split(' ')[0],
        appliedMigrations: applied.map((r) => r.name),
      },
      sentMeters: meters.map((r) => r.meter),
      usage,
    };
  } catch (error) {
    return { facts: { kind: 'unreachable', error: (error as Error).message } };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A table that does not exist yet (42P01: migrations not applied) reads as empty; the migrations check says why. */
async function rowsOrNone<T extends object>(client: Client, sql: string, params: unknown[] = []): Promise<T[]> {
  try {
    return (await client.query<T>(sql, params)).rows;
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return [];
    throw error;
  }
}
