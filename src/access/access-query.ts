/**
 * The access answer of one customer, as the access API gives it: the stored answer
 * (customer_access, one primary-key read, kept by every committed change: access-sync.ts), or,
 * when there is none yet or its grace period has run out before the sweep got to it, the access
 * rule applied to the mirror's rows. Feature access and entitlements read customer_entitlements.
 */
import type { DataSource } from 'typeorm';
import { Customer, Invoice, Subscription } from '../entities';
import { AccessDecision, accessOf } from './access-rule';

/** The access rule applied to the mirror's rows (three reads). */
export async function computeAccess(
  dataSource: DataSource,
  customerId: string,
  graceSeconds: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<AccessDecision> {
  const [customer, subscriptions, invoices] = await Promise.all([
    dataSource.getRepository(Customer).findOne({ where: { stripeId: customerId }, select: { stripeId: true, deleted: true } }),
    dataSource.getRepository(Subscription).find({ where: { stripeCustomerId: customerId }, select: { status: true } }),
    dataSource.getRepository(Invoice).find({
      where: { stripeCustomerId: customerId, deleted: false },
      select: { stripeId: true, paymentFailedAt: true },
    }),
  ]);
  return accessOf({ customer, subscriptions, invoices }, nowSeconds, graceSeconds);
}

const STORED_SQL = 'SELECT access, status, reason, grace_ends_at FROM customer_access WHERE stripe_customer_id = $1';

export async function customerAccess(
  dataSource: DataSource,
  customerId: string,
  graceSeconds: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<AccessDecision> {
  const [row] = (await dataSource.query(STORED_SQL, [customerId])) as Array<{ access: boolean; status: string | null; reason: string; grace_ends_at: string | null }>;
  const expired = row?.access && row.grace_ends_at !== null && nowSeconds >= Number(row.grace_ends_at);
  if (row && !expired) return { access: row.access, status: row.status, reason: row.reason };
  return computeAccess(dataSource, customerId, graceSeconds, nowSeconds);
}

/** Access to one feature: the customer's access, and then the feature among its active entitlements. */
export async function featureAccess(dataSource: DataSource, customerId: string, lookupKey: string, graceSeconds: number): Promise<AccessDecision> {
  const [base, entitled] = await Promise.all([
    customerAccess(dataSource, customerId, graceSeconds),
    dataSource.query('SELECT 1 FROM customer_entitlements WHERE stripe_customer_id = $1 AND lookup_key = $2 LIMIT 1', [customerId, lookupKey]) as Promise<unknown[]>,
  ]);
  if (!base.access || entitled.length > 0) return base;
  return { access: false, status: base.status, reason: 'feature_not_entitled' };
}

/** The lookup keys of a customer's active entitlements, sorted. */
export async function entitlementKeys(dataSource: DataSource, customerId: string): Promise<string[]> {
  const rows: Array<{ lookup_key: string }> = await dataSource.query(
    'SELECT lookup_key FROM customer_entitlements WHERE stripe_customer_id = $1 ORDER BY lookup_key', [customerId]);
  return rows.map((r) => r.lookup_key);
}
