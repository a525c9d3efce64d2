/**
 * Bounded tables: pruning of processed_events (below) and of the usage ledger (usage-prune.ts), both
 * through `pruneTable`: rows older than a cutoff go in batches, each its own short DELETE.
 *
 * processed_events, the exactly-once guard, otherwise grows by one row per event forever. A row
 * is only needed while Stripe may still send its event: Stripe lists events for 30 days (replay) and retries a delivery for 3 days, so PROCESSED_EVENTS_RETENTION_DAYS (≥ 34, default
 * 45) keeps every id that can still arrive. An older event that arrives anyway (a hand-made resend)
 * is still harmless: the mirror row it touched carries a newer watermark and rejects it.
 *
 * The clock is the event's `created` (Stripe's time), not when it was applied: what Stripe can still
 * send is decided by when Stripe created the event, and an event applied late (a job retried for
 * hours, a replay) must not keep its row longer, nor one applied early lose it sooner.
 *
 * Rows go in batches of `batchSize`, each its own short autocommit DELETE found through the
 * event_created index, so no lock is held for long and the workers' inserts never wait on a prune.
 * A run that deleted rows ends with a plain VACUUM of the table (no exclusive lock), so the freed
 * space is reused at once instead of after autovacuum's 20 % threshold: the table stays the size of
 * its retention.
 */
import type { DataSource } from 'typeorm';

export const DEFAULT_PRUNE_BATCH_SIZE = 5_000;
/** One run deletes at most this many batches (25 M rows); the next run picks up the rest. */
const MAX_BATCHES_PER_RUN = 5_000;

/** A table pruned by age: `older` is its SQL condition for a row older than $1 (a cutoff in unix s), through an index. */
export interface PruneTarget {
  table: string;
  older: string;
}

export const PROCESSED_EVENTS: PruneTarget = { table: 'processed_events', older: 'event_created < $1' };

/** $1 = cutoff (unix seconds, exclusive), $2 = batch size. ctid: delete the very rows the index scan found. */
export const pruneBatchSql = ({ table, older }: PruneTarget): string =>
  `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${older} LIMIT $2)`;

export interface PruneOptions {
  retentionDays: number;
  batchSize?: number;
  /** Milliseconds since the epoch; tests move the clock. */
  now?: () => number;
}

/** What one run did: the job's return value in Bull Board. */
export interface PruneReport {
  /** Events created before this instant were pruned. */
  cutoff: string;
  deleted: number;
  batches: number;
  ms: number;
}

/** Unix second before which events are pruned: `retentionDays` before now. */
export function pruneCutoff(nowMs: number, retentionDays: number): number {
  return Math.floor(nowMs / 1000) - retentionDays * 86_400;
}

/** True while another batch may find rows: the last one was full and the run's cap is not reached. */
export function morePruneBatches(lastDeleted: number, batchSize: number, batches: number): boolean {
  return lastDeleted === batchSize && batches < MAX_BATCHES_PER_RUN;
}

export async function pruneProcessedEvents(dataSource: DataSource, options: PruneOptions): Promise<PruneReport> {
  const started = Date.now();
  const cutoff = pruneCutoff((options.now ?? Date.now)(), options.retentionDays);
  const { deleted, batches } = await pruneTable(dataSource, PROCESSED_EVENTS, cutoff, options.batchSize);
  return { cutoff: new Date(cutoff * 1000).toISOString(), deleted, batches, ms: Date.now() - started };
}

/**
 * Deletes the rows of `target` older than `cutoff` (unix s) in batches of `batchSize`, each committed
 * on its own; a run that deleted rows ends with a plain VACUUM of the table.
 */
export async function pruneTable(
  dataSource: DataSource,
  target: PruneTarget,
  cutoff: number,
  batchSize = DEFAULT_PRUNE_BATCH_SIZE,
): Promise<{ deleted: number; batches: number }> {
  const sql = pruneBatchSql(target);
  let deleted = 0;
  let batches = 0;
  let last: number;
  do {
    // dataSource.query outside a transaction: each batch commits on its own.
    const [, count] = (await dataSource.query(sql, [cutoff, batchSize])) as [unknown, number];
    last = count;
    deleted += count;
    batches++;
  } while (morePruneBatches(last, batchSize, batches));
  if (deleted > 0) await dataSource.query(`VACUUM ${target.table}`);
  return { deleted, batches };
}
