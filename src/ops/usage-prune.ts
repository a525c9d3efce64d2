/**
 * The bounded usage ledger: `usage_reports` grows with every drain, so rows (and what flow C stored
 * about them: fixes, refusals, comparisons) older than USAGE_LEDGER_RETENTION_DAYS (≥ 35, default
 * 400) are pruned in batches (prune.ts `pruneTable`), by the maintenance queue's schedule.
 *
 * Never a row someone can still ask about: reconciliation reads 35 days back (the retention's
 * minimum), and the usage route reads by default the current billing period of a customer's
 * running subscriptions, which for a yearly plan starts up to a year back: the cutoff never passes
 * the oldest such period start. Rows go by the time their units were billed at (the meter event
 * timestamp), which the usage route's window start never follows.
 */
import type { DataSource } from 'typeorm';
import { pruneCutoff, pruneTable, type PruneReport, type PruneTarget } from './prune';

/** The ledger's tables, each through an index on its time column. */
export const USAGE_LEDGER: readonly PruneTarget[] = [
  { table: 'usage_reports', older: 'event_timestamp < to_timestamp($1)' },
  { table: 'usage_fixes', older: 'hour_start < to_timestamp($1)' },
  { table: 'usage_rejections', older: 'rejected_at < to_timestamp($1)' },
  { table: 'usage_reconciliations', older: 'hour_start < to_timestamp($1)' },
];

/** The oldest current period start of the subscriptions still running (what the usage route defaults to). */
const OLDEST_PERIOD_SQL = `SELECT min(si.current_period_start)::bigint AS start
  FROM subscription_items si JOIN subscriptions s ON s.stripe_id = si.stripe_subscription_id
  WHERE NOT s.deleted AND s.status NOT IN ('canceled', 'incomplete_expired')`;

/** Unix second before which ledger rows go: the retention, held back to the oldest running period. Pure. */
export function ledgerCutoff(nowMs: number, retentionDays: number, oldestPeriodStart: number | null): number {
  const cutoff = pruneCutoff(nowMs, retentionDays);
  return oldestPeriodStart === null ? cutoff : Math.min(cutoff, oldestPeriodStart);
}

export async function pruneUsageLedger(
  dataSource: DataSource,
  options: { retentionDays: number; batchSize?: number; now?: () => number },
): Promise<PruneReport> {
  const started = Date.now();
  const [{ start }] = (await dataSource.query(OLDEST_PERIOD_SQL)) as Array<{ start: string | null }>;
  const cutoff = ledgerCutoff(
    (options.now ?? Date.now)(),
    options.retentionDays,
    start === null ? null : Number(start),
  );
  let deleted = 0;
  let batches = 0;
  for (const target of USAGE_LEDGER) {
    const done = await pruneTable(dataSource, target, cutoff, options.batchSize);
    deleted += done.deleted;
    batches += done.batches;
  }
  return { cutoff: new Date(cutoff * 1000).toISOString(), deleted, batches, ms: Date.now() - started };
}
