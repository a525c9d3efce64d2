/** SQL of the access_notifications outbox (written by src/access/sync.ts). */
import type { DataSource } from 'typeorm';
import type { AccessNotificationBody } from '../access/sync';

/** Rows left unenqueued for at least this long are the relay's (the committer had its chance). */
const RELAY_AFTER_SECONDS = 5;
/** Enqueued rows are kept this long for inspection, then pruned in batches. */
export const OUTBOX_RETENTION_DAYS = 7;

export async function markEnqueued(dataSource: DataSource, ids: readonly string[]): Promise<void> {
  if (ids.length > 0)
    await dataSource.query(
      'UPDATE access_notifications SET enqueued_at = now() WHERE id = ANY($1) AND enqueued_at IS NULL',
      [ids],
    );
}

export async function unenqueued(dataSource: DataSource, limit = 500): Promise<AccessNotificationBody[]> {
  const rows: Array<{ body: AccessNotificationBody }> = await dataSource.query(
    `SELECT body FROM access_notifications WHERE enqueued_at IS NULL AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT $2`,
    [RELAY_AFTER_SECONDS, limit],
  );
  return rows.map((r) => r.body);
}

/** Deletes enqueued rows older than the retention, at most `batch` per call (short locks). */
export async function pruneOutbox(dataSource: DataSource, batch = 5000): Promise<number> {
  const [, count] = (await dataSource.query(
    `DELETE FROM access_notifications WHERE ctid IN (SELECT ctid FROM access_notifications WHERE enqueued_at < now() - make_interval(days => $1) LIMIT $2)`,
    [OUTBOX_RETENTION_DAYS, batch],
  )) as [unknown, number];
  return count;
}

/** Customers whose grace period has run out while their stored answer still says `true`. */
export async function graceExpired(dataSource: DataSource, nowSeconds: number, limit = 500): Promise<string[]> {
  const rows: Array<{ stripe_customer_id: string }> = await dataSource.query(
    'SELECT stripe_customer_id FROM customer_access WHERE access AND grace_ends_at <= $1 ORDER BY grace_ends_at LIMIT $2',
    [nowSeconds, limit],
  );
  return rows.map((r) => r.stripe_customer_id);
}
