/**
 * The access step: after a transaction wrote a customer's rows (an event, a backfilled object, a
 * grace period running out), and before it commits, the customer's access answer is computed
 * again from the rows as they now are and compared with the stored one (customer_access):
 *
 *   stored (or none: access false) ──rows changed──> computed
 *       same answer, status, reason, grace end   → nothing written, nothing sent
 *       anything else                            → customer_access updated, version + 1
 *       and `access` itself flipped (notifying)  → an access_notifications row in the same transaction
 *
 * All in the transaction that holds the customer's advisory lock, so two changes of one customer
 * can neither interleave nor reorder their versions. The decisions and writes live here, the reads
 * and their mapping in inputs.ts (shared with the access API); the event engine runs them
 * (events/access-step.ts).
 */
import { placeholderRows } from '../db/sql';
import type { Literal, Statement } from '../db/transaction';
import { AccessState, computedAccessOf, Row, StoredAccess, storedAccessOf } from './inputs';

/**
 * The body POSTed to ACCESS_WEBHOOK_URL (contract: Access-change notifications). A type, not an
 * interface, so it is a plain JSON record to the queue that carries it.
 */
export type AccessNotificationBody = {
  id: string;
  type: 'customer.access.changed';
  created: number;
  data: { customer: string; access: boolean; status: string | null; reason: string; sequence: number };
};

export interface AccessChange {
  customer: string;
  before: StoredAccess | null;
  after: StoredAccess;
  /** Set when `access` flipped and notifications are on. */
  notification?: AccessNotificationBody;
}

const sameState = (a: AccessState | null, b: AccessState): boolean =>
  a !== null &&
  a.access === b.access &&
  a.status === b.status &&
  a.reason === b.reason &&
  a.graceEndsAt === b.graceEndsAt;

/** The changes the four reads imply, one per customer whose stored answer differs. Pure. */
export function decideAccessChanges(
  customers: readonly string[],
  [customerRows, subscriptionRows, invoiceRows, storedRows]: ReadonlyArray<readonly Row[]>,
  options: { nowSeconds: number; graceSeconds: number; notify: boolean },
): AccessChange[] {
  const changes: AccessChange[] = [];
  for (const customer of customers) {
    const computed = computedAccessOf(
      customer,
      [customerRows, subscriptionRows, invoiceRows],
      options.nowSeconds,
      options.graceSeconds,
    );
    const before = storedAccessOf(customer, storedRows);
    if (sameState(before, computed)) continue;
    const after: StoredAccess = { ...computed, version: (before?.version ?? 0) + 1 };
    const change: AccessChange = { customer, before, after };
    // No stored answer means the API answered false so far (an unknown customer has no access).
    if (options.notify && (before?.access ?? false) !== after.access)
      change.notification = notificationBody(customer, after, options.nowSeconds);
    changes.push(change);
  }
  return changes;
}

export function notificationBody(customer: string, state: StoredAccess, created: number): AccessNotificationBody {
  return {
    id: `acc_${customer}_${state.version}`,
    type: 'customer.access.changed',
    created,
    data: { customer, access: state.access, status: state.status, reason: state.reason, sequence: state.version },
  };
}

/** The writes of `changes`: the new stored answers, and the outbox rows of the notifications. */
export function accessWriteStatements(changes: readonly AccessChange[]): Statement[] {
  if (changes.length === 0) return [];
  const statements: Statement[] = [
    {
      sql: `INSERT INTO customer_access (stripe_customer_id, access, status, reason, version, grace_ends_at) VALUES ${placeholderRows(changes.length, 6)}
      ON CONFLICT (stripe_customer_id) DO UPDATE SET access = EXCLUDED.access, status = EXCLUDED.status, reason = EXCLUDED.reason,
        version = EXCLUDED.version, grace_ends_at = EXCLUDED.grace_ends_at, updated_at = now()`,
      values: changes.flatMap((c): Literal[] => [
        c.customer,
        c.after.access,
        c.after.status,
        c.after.reason,
        c.after.version,
        c.after.graceEndsAt,
      ]),
    },
  ];
  const notes = changes.flatMap((c) => (c.notification ? [c.notification] : []));
  if (notes.length > 0) {
    statements.push({
      sql: `INSERT INTO access_notifications (id, stripe_customer_id, sequence, body) VALUES ${placeholderRows(notes.length, 4)} ON CONFLICT (id) DO NOTHING`,
      values: notes.flatMap((n): Literal[] => [n.id, n.data.customer, n.data.sequence, JSON.stringify(n)]),
    });
  }
  return statements;
}
