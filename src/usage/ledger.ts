/** The `usage_reports` ledger: what Stripe accepted, written idempotently after each batch. */
import type { DataSource } from 'typeorm';
import type { PlannedEvent } from './plan';

const SENT_SQL = 'SELECT identifier FROM usage_reports WHERE identifier = ANY($1::text[])';

/** Identifiers among `identifiers` already in the ledger (accepted by Stripe in an earlier attempt). */
export async function alreadySent(dataSource: DataSource, identifiers: readonly string[]): Promise<Set<string>> {
  const sent = new Set<string>();
  for (let i = 0; i < identifiers.length; i += 5000) {
    const rows: Array<{ identifier: string }> = await dataSource.query(SENT_SQL, [identifiers.slice(i, i + 5000)]);
    for (const r of rows) sent.add(r.identifier);
  }
  return sent;
}

/** One statement for a whole batch; `ON CONFLICT DO NOTHING` leaves a row already there (a resumed batch) as it was. */
const RECORD_SQL = `INSERT INTO usage_reports (identifier, claim_id, stripe_customer_id, meter, value, window_start, window_end, event_timestamp)
  SELECT i, c, cus, m, v::bigint, to_timestamp(ws), to_timestamp(we), to_timestamp(ts)
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[]) AS t(i, c, cus, m, v, ws, we, ts)
  ON CONFLICT (identifier) DO NOTHING`;

/** Records accepted events (plain SQL: the drain writes a batch every few ms, so little garbage per call). */
export async function recordSent(dataSource: DataSource, events: readonly PlannedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const column = <T>(pick: (e: PlannedEvent) => T) => events.map(pick);
  await dataSource.query(RECORD_SQL, [
    column((e) => e.identifier), column((e) => e.claimId), column((e) => e.customer), column((e) => e.meter),
    column((e) => e.value), column((e) => e.windowStart), column((e) => e.windowEnd), column((e) => e.timestamp),
  ]);
}
