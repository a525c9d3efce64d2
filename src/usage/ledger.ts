/**
 * The `usage_reports` ledger: what Stripe accepted, written idempotently after each batch. Lists
 * go to PostgreSQL as one JSON text each: pg would build an array literal for every array
 * parameter by concatenating its elements one by one (a third of what a drain allocated).
 */
import type { DataSource } from 'typeorm';
import type { PlannedEvent } from './plan';

const SENT_SQL = 'SELECT identifier FROM usage_reports WHERE identifier = ANY(ARRAY(SELECT json_array_elements_text($1::json)))';

/** Identifiers among `identifiers` already in the ledger (accepted by Stripe in an earlier attempt). */
export async function alreadySent(dataSource: DataSource, identifiers: readonly string[]): Promise<Set<string>> {
  const sent = new Set<string>();
  for (let i = 0; i < identifiers.length; i += 5000) {
    const rows: Array<{ identifier: string }> = await dataSource.query(SENT_SQL, [JSON.stringify(identifiers.slice(i, i + 5000))]);
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
  await dataSource.query(RECORD_SQL, [JSON.stringify(events)]);
}
