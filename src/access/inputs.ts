/**
 * What an access answer is made of, read and mapped in one place for both of its readers: the
 * access step inside an event's transaction (sync.ts, through the transaction's `run`, with the
 * stored answers locked) and the access API (query.ts, from the DataSource's pool).
 *
 *   ruleReadStatements   customers, subscriptions, open invoices → computedAccessOf: the access rule
 *                        (rule.ts) applied to one customer's rows
 *   storedReadStatement  customer_access                         → storedAccessOf: the stored answer
 *   accessReadStatements the four, the stored answers locked (the access step)
 *
 * Rows come as pg returns them (bigint as text), so both readers see the same values.
 */
import type { DataSource } from 'typeorm';
import { placeholderList } from '../db/sql';
import type { Statement } from '../db/transaction';
import { AccessDecision, AccessInvoice, accessOf, graceEndsAt } from './rule';

/** An access answer, with when a grace period would end it (null: no clock running). */
export interface AccessState extends AccessDecision {
  graceEndsAt: number | null;
}

/** The answer customer_access holds, with its version (the notifications' sequence). */
export interface StoredAccess extends AccessState {
  version: number;
}

export type Row = Record<string, unknown>;
/** The results of ruleReadStatements, in its order. */
export type RuleRows = readonly [customers: readonly Row[], subscriptions: readonly Row[], invoices: readonly Row[]];

/** The rule's three reads, in this order: customers, subscriptions, open invoices. */
export function ruleReadStatements(customers: readonly string[]): Statement[] {
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
  ];
}

/** The stored answers' read; `lock` reads them FOR UPDATE (the access step, which may rewrite them). */
export function storedReadStatement(customers: readonly string[], lock: boolean): Statement {
  const sql = `SELECT stripe_customer_id AS customer, access, status, reason, version, grace_ends_at FROM customer_access WHERE stripe_customer_id IN (${placeholderList(customers.length)})`;
  return { sql: lock ? `${sql} FOR UPDATE` : sql, values: customers };
}

/** The access step's four reads: the rule's three, then the stored answers, locked. */
export const accessReadStatements = (customers: readonly string[]): Statement[] => [
  ...ruleReadStatements(customers),
  storedReadStatement(customers, true),
];

/** Runs `statements` from the pool, all at once (no transaction: each reads its own snapshot). */
export function readFromPool(dataSource: DataSource, statements: readonly Statement[]): Promise<Row[][]> {
  return Promise.all(statements.map((s) => dataSource.query(s.sql, [...s.values]) as Promise<Row[]>));
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const rowsOf = (customer: string, rows: readonly Row[]): Row[] => rows.filter((r) => r.customer === customer);

/** The access rule applied to `customer`'s rows, with when a grace period would end. Pure. */
export function computedAccessOf(
  customer: string,
  [customerRows, subscriptionRows, invoiceRows]: RuleRows,
  nowSeconds: number,
  graceSeconds: number,
): AccessState {
  const row = rowsOf(customer, customerRows)[0];
  const invoices: AccessInvoice[] = rowsOf(customer, invoiceRows).map((r) => ({
    stripeId: String(r.stripe_id),
    paymentFailedAt: num(r.payment_failed_at),
  }));
  const decision = accessOf(
    {
      customer: row ? { deleted: Boolean(row.deleted) } : null,
      subscriptions: rowsOf(customer, subscriptionRows).map((r) => ({ status: String(r.status) })),
      invoices,
    },
    nowSeconds,
    graceSeconds,
  );
  return { ...decision, graceEndsAt: graceEndsAt(decision, invoices, graceSeconds) };
}

/** The answer stored for `customer` among the stored-answer rows, or null. Pure. */
export function storedAccessOf(customer: string, storedRows: readonly Row[]): StoredAccess | null {
  const s = rowsOf(customer, storedRows)[0];
  if (!s) return null;
  return {
    access: Boolean(s.access),
    status: (s.status as string | null) ?? null,
    reason: String(s.reason),
    graceEndsAt: num(s.grace_ends_at),
    version: Number(s.version),
  };
}
