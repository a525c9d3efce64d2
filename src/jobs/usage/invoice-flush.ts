/**
 * invoice.created for a subscription with metered prices → flush that customer's usage now, so it
 * lands on the draft invoice during Stripe's one-hour wait. Runs after the event's transaction
 * committed (never inside it: a Redis write there could be lost on rollback or doubled on retry);
 * a retried event job runs it again, which at worst asks for a second, harmless flush.
 */
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Logger } from '../../logger';
import type { StripeEvent } from '../../queues/stripe-event';
import { requestDrain, type UsageDrainQueue } from '../../queues/usage-drain-queue';

const createdInvoice = z.looseObject({
  id: z.string(),
  customer: z.union([z.string(), z.looseObject({ id: z.string() }).transform((c) => c.id)]),
  parent: z
    .looseObject({ subscription_details: z.looseObject({ subscription: z.union([z.string(), z.looseObject({ id: z.string() }).transform((s) => s.id)]).nullish() }).nullish() })
    .nullish(),
});

/** Items of the subscription, and how many might be metered (a price the mirror lacks counts as "might"). */
const METERED_SQL = `SELECT count(*)::int AS items,
    count(*) FILTER (WHERE p.stripe_id IS NULL OR p.usage_type = 'metered' OR p.meter IS NOT NULL)::int AS maybe_metered
  FROM subscription_items si LEFT JOIN prices p ON p.stripe_id = si.stripe_price_id
  WHERE si.stripe_subscription_id = $1`;

/** Flush unless the mirror knows the subscription's items and none of their prices is metered. */
export function shouldFlush(counts: { items: number; maybe_metered: number }): boolean {
  return counts.items === 0 || counts.maybe_metered > 0;
}

export function invoiceFlushHook(dataSource: DataSource, queue: UsageDrainQueue, log: Logger) {
  return async (event: StripeEvent): Promise<void> => {
    if (event.type !== 'invoice.created') return;
    const parsed = createdInvoice.safeParse(event.data.object);
    const subscription = parsed.success ? parsed.data.parent?.subscription_details?.subscription : undefined;
    if (!parsed.success || !subscription) return;
    const [counts] = (await dataSource.query(METERED_SQL, [subscription])) as Array<{ items: number; maybe_metered: number }>;
    if (!shouldFlush(counts)) return;
    const customer = parsed.data.customer;
    await requestDrain(queue, { reason: 'invoice', customer }, `invoice-${parsed.data.id}`);
    log.info({ customer, invoice: parsed.data.id }, 'usage flush requested for a new invoice');
  };
}
