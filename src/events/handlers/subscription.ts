/**
 * customer.subscription.* → subscriptions + subscription_items. Items are written with their
 * subscription under its watermark: the stored item set is exactly the newest one Stripe sent.
 */
import { z } from 'zod';
import { placeholderList, placeholderRows } from '../../db/sql';
import type { Literal, Statement } from '../../db/transaction';
import { Subscription, SubscriptionItem } from '../../entities';
import { Mirror, MirrorFields, mirrorHandlers } from '../mirror-write';
import { PermanentError } from '../handler-types';
import { customerOf, parseObject, stripeRef } from './parse';
import { retrieveOrDeleted } from './refetch';

/*
 * Shapes by API version: since 2025-03-31.basil the billing period is on each item; before, it
 * is on the subscription. Items of accounts from before Prices (2020) may carry only `plan`,
 * whose id is also a valid price id. The mappers read every shape (test/unit/mapping-versions).
 */
const itemSchema = z.object({
  id: z.string().min(1),
  price: stripeRef.nullish(),
  plan: stripeRef.nullish(),
  quantity: z.number().int().nullish(),
  current_period_start: z.number().int().nullish(),
  current_period_end: z.number().int().nullish(),
});

const subscriptionSchema = z.object({
  id: z.string().startsWith('sub_'),
  object: z.literal('subscription'),
  customer: stripeRef,
  status: z.string().min(1),
  cancel_at_period_end: z.boolean(),
  canceled_at: z.number().int().nullish(),
  trial_end: z.number().int().nullish(),
  // On the subscription in every version since 2020-03-02; nullish only for objects that lack it.
  start_date: z.number().int().nullish(),
  current_period_start: z.number().int().nullish(),
  current_period_end: z.number().int().nullish(),
  items: z.object({ data: z.array(itemSchema) }),
});

/** An item's price and period, from wherever this API version puts them; PermanentError if absent. */
function itemFields(item: z.infer<typeof itemSchema>, s: z.infer<typeof subscriptionSchema>) {
  const price = item.price ?? item.plan;
  const start = item.current_period_start ?? s.current_period_start;
  const end = item.current_period_end ?? s.current_period_end;
  if (!price) throw new PermanentError(`malformed subscription: items.${item.id}: neither price nor plan`);
  if (start == null || end == null)
    throw new PermanentError(
      `malformed subscription: items.${item.id}: no current period on the item or the subscription`,
    );
  return { price, start, end };
}

export function mapSubscription(object: unknown): MirrorFields<Subscription> {
  const s = parseObject(subscriptionSchema, object, 'subscription');
  return {
    stripeId: s.id,
    stripeCustomerId: s.customer,
    status: s.status,
    cancelAtPeriodEnd: s.cancel_at_period_end,
    canceledAt: s.canceled_at ?? null,
    trialEnd: s.trial_end ?? null,
    startDate: s.start_date ?? null,
  };
}

export function mapSubscriptionItems(object: unknown): SubscriptionItem[] {
  const s = parseObject(subscriptionSchema, object, 'subscription');
  return s.items.data.map((item) => {
    const { price, start, end } = itemFields(item, s);
    return {
      stripeId: item.id,
      stripeSubscriptionId: s.id,
      stripePriceId: price,
      quantity: item.quantity ?? null,
      currentPeriodStart: start,
      currentPeriodEnd: end,
    };
  });
}

const ITEM_COLUMNS =
  '"stripe_id", "stripe_subscription_id", "stripe_price_id", "quantity", "current_period_start", "current_period_end"';
const ITEM_UPDATES = [
  'stripe_subscription_id',
  'stripe_price_id',
  'quantity',
  'current_period_start',
  'current_period_end',
]
  .map((c) => `"${c}" = EXCLUDED."${c}"`)
  .join(', ');

/**
 * One statement that makes the stored items of `subscriptionId` exactly `items`: delete the ones
 * missing from it and upsert the rest. The DELETE (in a CTE) and the upsert touch disjoint rows,
 * so running them as one statement on one snapshot is the same as running them in turn.
 */
export function replaceItemsStatement(subscriptionId: string, items: readonly SubscriptionItem[]): Statement {
  if (items.length === 0)
    return { sql: 'DELETE FROM "subscription_items" WHERE "stripe_subscription_id" = $1', values: [subscriptionId] };
  const rows = items.map((i): Literal[] => [
    i.stripeId,
    i.stripeSubscriptionId,
    i.stripePriceId,
    i.quantity,
    i.currentPeriodStart,
    i.currentPeriodEnd,
  ]);
  const ids = items.map((i) => i.stripeId);
  // $1 is the subscription, then the row tuples, then the kept ids once more for the DELETE.
  const keep = placeholderList(ids.length, 2 + rows.length * 6);
  const sql = `WITH gone AS (DELETE FROM "subscription_items" WHERE "stripe_subscription_id" = $1 AND "stripe_id" NOT IN (${keep}))
    INSERT INTO "subscription_items" (${ITEM_COLUMNS}) VALUES ${placeholderRows(rows.length, 6, 2)}
    ON CONFLICT ("stripe_id") DO UPDATE SET ${ITEM_UPDATES}`;
  return { sql, values: [subscriptionId, ...rows.flat(), ...ids] };
}

export const subscriptionMirror: Mirror<Subscription> = {
  accessCustomer: customerOf,
  spec: {
    entity: Subscription,
    toRow: (object) => mapSubscription(object),
    refetch: (ctx, id) => retrieveOrDeleted(() => ctx.stripe.subscriptions.retrieve(id)),
    companionWrites: (object, row) => [replaceItemsStatement(row.stripeId, mapSubscriptionItems(object))],
  },
};

export const subscriptionHandlers = mirrorHandlers(subscriptionMirror, {
  upserts: [
    'customer.subscription.created',
    'customer.subscription.updated',
    'customer.subscription.paused',
    'customer.subscription.resumed',
    'customer.subscription.trial_will_end',
    'customer.subscription.pending_update_applied',
    'customer.subscription.pending_update_expired',
  ],
  // Stripe sends .deleted when a subscription ends (status canceled); it is terminal.
  deletions: ['customer.subscription.deleted'],
});
