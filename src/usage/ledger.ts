/**
 * The `usage_reports` ledger: what Stripe accepted, written idempotently after each batch. Lists
 * go to PostgreSQL as one JSON text each: pg would build an array literal for every array
 * parameter by concatenating its elements one by one (a third of what a drain allocated).
 */
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PlannedEvent } from './plan';

/**
 * One statement on the DataSource's pg pool, with pg's callback API. Not `dataSource.query`: pg's
 * promise API assigns a new arrow function to each query (`query.callback = …`), V8 puts a function
 * assigned to a property straight into the old generation, and that closure kept the query, its
 * parameters and its result alive until the next full GC — most of a drain's peak RSS
 * (BENCHMARKS.md 3b).
 */
function run<Row>(dataSource: DataSource, sql: string, params: unknown[]): Promise<Row[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  return new Promise((resolve, reject) => {
    pool.query(sql, params, (error, result) => (error ? reject(error) : resolve(result.rows as Row[])));
  });
}

const SENT_SQL =
  'SELECT identifier FROM usage_reports WHERE identifier = ANY(ARRAY(SELECT json_array_elements_text($1::json)))';

/** Identifiers among `identifiers` already in the ledger (accepted by Stripe in an earlier attempt). */
export async function alreadySent(dataSource: DataSource, identifiers: readonly string[]): Promise<Set<string>> {
  const sent = new Set<string>();
  for (let i = 0; i < identifiers.length; i += 5000) {
    const rows = await run<{ identifier: string }>(dataSource, SENT_SQL, [
      JSON.stringify(identifiers.slice(i, i + 5000)),
    ]);
    for (const r of rows) sent.add(r.identifier);
  }
  return sent;
}

/** One statement for a whole batch; `ON CONFLICT DO NOTHING` leaves a row already there (a resumed batch) as it was. */
const RECORD_SQL = `INSERT INTO usage_reports (identifier, claim_id, stripe_customer_id, meter, value, window_start, window_end, event_timestamp)
  SELECT e.identifier, e."claimId", e.customer, e.meter, e.value::bigint, to_timestamp(e."windowStart"), to_timestamp(e."windowEnd"), to_timestamp(e.timestamp)
  FROM json_to_recordset($1::json) AS e(identifier text, "claimId" text, customer text, meter text, value text, "windowStart" bigint, "windowEnd" bigint, timestamp bigint)
  ON CONFLICT (identifier) DO NOTHING`;

/** Records accepted events: the batch's PlannedEvents as they are, one JSON text (their fields are the recordset's columns). */
export async function recordSent(dataSource: DataSource, events: readonly PlannedEvent[]): Promise<void> {
  if (events.length === 0) return;
  await run(dataSource, RECORD_SQL, [JSON.stringify(events)]);
}

/** The same insert inside a caller's transaction (a late resume records events together with their fixes). */
export async function recordSentIn(manager: Pick<DataSource, 'query'>, events: readonly PlannedEvent[]): Promise<void> {
  if (events.length === 0) return;
  await manager.query(RECORD_SQL, [JSON.stringify(events)]);
}
