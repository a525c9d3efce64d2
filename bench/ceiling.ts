/**
 * The ceiling of benchmark 2: the bare work an event needs in PostgreSQL, run from Node over a
 * pool of the service's size: one transaction per delivery with the dedupe insert and, when the
 * event is new, one guarded upsert (`… ON CONFLICT DO UPDATE … WHERE watermark < EXCLUDED.watermark`).
 * Rows are mapped before the clock starts, so only the database work is timed.
 */
import { Pool } from 'pg';
import type Stripe from 'stripe';
import { mapCustomer } from '../src/events/handlers/customer';
import { mapInvoice } from '../src/events/handlers/invoice';
import { mapSubscription } from '../src/events/handlers/subscription';

interface Prepared {
  dedupe: unknown[];
  upsertSql: string;
  upsertValues: unknown[];
}

const DEDUPE_SQL = `INSERT INTO processed_events (stripe_event_id, type, event_created) VALUES ($1, $2, $3)
  ON CONFLICT (stripe_event_id) DO NOTHING RETURNING stripe_event_id`;

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function upsert(table: string, row: Record<string, unknown>, watermark: number): { sql: string; values: unknown[] } {
  const cols = [...Object.keys(row).map(snake), 'watermark'];
  const values = [...Object.values(row), watermark];
  const sets = cols
    .filter((c) => c !== 'stripe_id')
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ');
  const sql = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})
    ON CONFLICT (stripe_id) DO UPDATE SET ${sets} WHERE ${table}.watermark < EXCLUDED.watermark`;
  return { sql, values };
}

function prepare(event: Stripe.Event): Prepared {
  const object = event.data.object;
  const t = event.created;
  const { sql, values } = event.type.startsWith('customer.subscription.')
    ? upsert('subscriptions', mapSubscription(object), t)
    : event.type.startsWith('invoice.')
      ? upsert('invoices', mapInvoice(object, null, t), t)
      : upsert('customers', mapCustomer(object), t);
  return { dedupe: [event.id, event.type, t], upsertSql: sql, upsertValues: values };
}

export interface CeilingResult {
  transactions: number;
  seconds: number;
  txPerSec: number;
  poolSize: number;
}

/** Runs one transaction per event (duplicates included), `poolSize` at a time. */
export async function runCeiling(
  databaseUrl: string,
  events: readonly Stripe.Event[],
  poolSize: number,
): Promise<CeilingResult> {
  const work = events.map(prepare);
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
  try {
    await Promise.all(Array.from({ length: poolSize }, () => pool.query('SELECT 1')));
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: poolSize }, async () => {
        const client = await pool.connect();
        try {
          for (let i = next++; i < work.length; i = next++) {
            const w = work[i];
            await client.query('BEGIN');
            const inserted = await client.query(DEDUPE_SQL, w.dedupe);
            if (inserted.rowCount) await client.query(w.upsertSql, w.upsertValues);
            await client.query('COMMIT');
          }
        } finally {
          client.release();
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await pool.query('TRUNCATE processed_events, customers, subscriptions, subscription_items, invoices');
    return { transactions: work.length, seconds, txPerSec: work.length / seconds, poolSize };
  } finally {
    await pool.end();
  }
}
