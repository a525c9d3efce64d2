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
 * can neither interleave nor reorder their versions. The statements and decisions live here; the
 * event engine runs them (events/access-step.ts).
 */
import { placeholderList, placeholderRows } from '../db/sql';
import type { Literal, Statement } from '../db/transaction';
import { AccessDecision, AccessInvoice, accessOf, graceEndsAt } from './rule';

export interface AccessState extends AccessDecision {
  graceEndsAt: number | null;
}

export interface StoredAccess extends AccessState {
  version: number;
}

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

/** Four reads, in this order: customers, subscriptions, open invoices, stored answers (locked). */
export function accessReadStatements(customers: readonly string[]): Statement[] {
  const list = placeholderList(customers.length);
  return [
    { sql: `SELECT stripe_id AS customer, deleted FROM customers WHERE stripe_id IN (${list})`, values: customers },
    {
      sql: `SELECT stripe_customer_id AS customer, status FROM subscriptions WHERE stripe_customer_id IN (${list})`,
      values: customers,
    },
    {
      sql: `SELECT stripe_customer_id AS customer, stripe_id, payment_failed_at FROM invoices WHERE NOT deleted AND stripe_customer_id IN (${list})`,
      values: customers,
    },
    {
      sql: `SELECT stripe_customer_id AS customer, access, status, reason, version, grace_ends_at FROM customer_access WHERE stripe_customer_id IN (${list}) FOR UPDATE`,
      values: customers,
    },
  ];
}

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

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
    const mine = (rows: readonly Row[]) => rows.filter((r) => r.customer === customer);
    const row = mine(customerRows)[0];
    const invoices: AccessInvoice[] = mine(invoiceRows).map((r) => ({
      stripeId: String(r.stripe_id),
      paymentFailedAt: num(r.payment_failed_at),
    }));
    const decision = accessOf(
      {
        customer: row ? { deleted: Boolean(row.deleted) } : null,
        subscriptions: mine(subscriptionRows).map((r) => ({ status: String(r.status) })),
        invoices,
      },
      options.nowSeconds,
      options.graceSeconds,
    );
    const computed: AccessState = { ...decision, graceEndsAt: graceEndsAt(decision, invoices, options.graceSeconds) };
    const s = mine(storedRows)[0];
    const before: StoredAccess | null = s
      ? {
          access: Boolean(s.access),
          status: (s.status as string | null) ?? null,
          reason: String(s.reason),
          graceEndsAt: num(s.grace_ends_at),
          version: Number(s.version),
        }
      : null;
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
