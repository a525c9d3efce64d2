/**
 * Runs the access step (src/access/sync.ts) inside a transaction of the commit path
 * (events/event-transaction.ts: events, snapshots, customers whose grace period ran out):
 * with the handlers' writes sent, read the affected customers' rows, decide what changed, and
 * return the writes that record it, to go with COMMIT. No affected customer: no extra round trip.
 */
import type { QueryResult } from 'pg';
import { accessReadStatements } from '../access/inputs';
import { AccessChange, accessWriteStatements, decideAccessChanges } from '../access/sync';
import type { Statement } from '../db/transaction';

export interface AccessOptions {
  graceSeconds: number;
  /** Write an outbox row for each flip of `access` (ACCESS_WEBHOOK_URL is set). */
  notify: boolean;
  /**
   * Names customers whose answer or entitlements may have changed on the access change feed
   * (access/change-feed.ts), after their transaction committed, before any notification.
   */
  invalidate?: (customers: string[]) => Promise<void>;
  /** Told the changes after their transaction committed and the feed named them (notification enqueue). */
  onChanged?: (changes: AccessChange[]) => Promise<void>;
}

export async function accessStep(
  run: (statements: readonly Statement[]) => Promise<QueryResult[]>,
  writes: Statement[],
  customers: ReadonlySet<string>,
  options: AccessOptions | undefined,
): Promise<{ closing: Statement[]; changes: AccessChange[] }> {
  if (!options || customers.size === 0) return { closing: writes, changes: [] };
  const list = [...customers].sort();
  const reads = accessReadStatements(list);
  const results = await run([...writes, ...reads]);
  const rows = results.slice(-reads.length).map((r) => r.rows as Record<string, unknown>[]);
  const changes = decideAccessChanges(list, rows, {
    nowSeconds: Math.floor(Date.now() / 1000),
    graceSeconds: options.graceSeconds,
    notify: options.notify,
  });
  return { closing: accessWriteStatements(changes), changes };
}
