/**
 * customer.subscription.* → subscriptions + subscription_items. Items are written with their
 * subscription under its watermark: the stored item set is exactly the newest one Stripe sent.
 */
import { z } from 'zod';
import { In, Not } from 'typeorm';
import { Subscription, SubscriptionItem } from '../../entities';
import type { HandlerContext } from '../handler-types';
import { MirrorFields, MirrorSpec, mirrorHandlers } from '../mirror';
import { byCustomer, parseObject, stripeRef } from './parse';
import { retrieveOrDeleted } from './refetch';

const itemSchema = z.looseObject({
  id: z.string().min(1),
  price: stripeRef,
  quantity: z.number().int().nullish(),
  current_period_start: z.number().int(),
  current_period_end: z.number().int(),
});

const subscriptionSchema = z.looseObject({
  id: z.string().startsWith('sub_'),
  object: z.literal('subscription'),
  customer: stripeRef,
  status: z.string().min(1),
  cancel_at_period_end: z.boolean(),
  canceled_at: z.number().int().nullish(),
  trial_end: z.number().int().nullish(),
  items: z.looseObject({ data: z.array(itemSchema) }),
});

export function mapSubscription(object: unknown): MirrorFields<Subscription> {
  const s = parseObject(subscriptionSchema, object, 'subscription');
  return {
    stripeId: s.id,
    stripeCustomerId: s.customer,
    status: s.status,
    cancelAtPeriodEnd: s.cancel_at_period_end,
    canceledAt: s.canceled_at ?? null,
    trialEnd: s.trial_end ?? null,
  };
}

export function mapSubscriptionItems(object: unknown): SubscriptionItem[] {
  const s = parseObject(subscriptionSchema, object, 'subscription');
  return s.items.data.map((item) => ({
    stripeId: item.id,
    stripeSubscriptionId: s.id,
    stripePriceId: item.price,
    quantity: item.quantity ?? null,
    currentPeriodStart: item.current_period_start,
    currentPeriodEnd: item.current_period_end,
  }));
}

async function replaceItems(ctx: HandlerContext, object: unknown, row: Subscription): Promise<void> {
  const items = mapSubscriptionItems(object);
  const repo = ctx.manager.getRepository(SubscriptionItem);
  const keep = items.map((i) => i.stripeId);
  await repo.delete({ stripeSubscriptionId: row.stripeId, ...(keep.length ? { stripeId: Not(In(keep)) } : {}) });
  if (items.length) await repo.upsert(items, ['stripeId']);
}

const spec: MirrorSpec<unknown, Subscription> = {
  entity: Subscription,
  toRow: (object) => mapSubscription(object),
  refetch: (ctx, id) => retrieveOrDeleted(() => ctx.stripe.subscriptions.retrieve(id)),
  afterWrite: replaceItems,
};

export const subscriptionHandlers = mirrorHandlers(spec, byCustomer, {
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
