/** Loads what the access rule needs for one customer from the mirror and applies it. */
import type { DataSource } from 'typeorm';
import { Customer, Invoice, Subscription } from '../entities';
import { AccessDecision, decideAccess } from './access-rule';

export async function customerAccess(
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
  if (customer?.deleted) return { access: false, status: null, reason: 'customer_deleted' };
  return decideAccess({ known: customer !== null, subscriptions, invoices, nowSeconds, graceSeconds });
}
