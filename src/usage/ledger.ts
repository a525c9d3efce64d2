/** The `usage_reports` ledger: what Stripe accepted, written idempotently after each batch. */
import type { DataSource } from 'typeorm';
import { UsageReport } from '../entities';
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

/** Records accepted events; a row already there (a resumed batch) is left as it was. */
export async function recordSent(dataSource: DataSource, events: readonly PlannedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({
    identifier: e.identifier,
    claimId: e.claimId,
    stripeCustomerId: e.customer,
    meter: e.meter,
    value: e.value,
    windowStart: new Date(e.windowStart * 1000),
    windowEnd: new Date(e.windowEnd * 1000),
    eventTimestamp: new Date(e.timestamp * 1000),
  }));
  await dataSource.createQueryBuilder().insert().into(UsageReport).values(rows).orIgnore().execute();
}
