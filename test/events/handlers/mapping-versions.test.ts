/**
 * The mappers read the shapes of every API version since 2020-03-02 (pure, no I/O): before
 * 2025-03-31.basil the period is on the subscription and the invoice names its subscription at
 * the top level; the oldest items carry only `plan`. The lifecycle tests run whole stories in
 * each version (test/events/api-versions.int.test.ts).
 */
import { PermanentError } from '../../../src/events/handler-types';
import { mapInvoice, usageFlushFor } from '../../../src/events/handlers/invoice';
import { mapSubscription, mapSubscriptionItems } from '../../../src/events/handlers/subscription';
import * as build from '../../../stand-in/events';

// Loosely typed on purpose: the tests reshape objects into other API versions' shapes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

const pinned = () =>
  JSON.parse(
    JSON.stringify(
      build.subscription({
        id: 'sub_V1',
        customer: 'cus_V1',
        items: [{ id: 'si_V1', price: 'price_V1', quantity: 2 }],
      }),
    ),
  ) as Loose;

test('a pinned-version subscription takes its item period from the item', () => {
  const s = pinned();
  const [item] = mapSubscriptionItems(s);
  expect(item).toMatchObject({ stripeId: 'si_V1', stripePriceId: 'price_V1', quantity: 2 });
  expect(item.currentPeriodEnd).toBe(s.items.data[0].current_period_end);
});

test('a pre-basil subscription (period on the subscription) gives its items that period', () => {
  const s = pinned();
  for (const item of s.items.data) {
    delete item.current_period_start;
    delete item.current_period_end;
  }
  s.current_period_start = 1_600_000_000;
  s.current_period_end = 1_602_592_000;
  expect(mapSubscriptionItems(s)).toEqual([
    {
      stripeId: 'si_V1',
      stripeSubscriptionId: 'sub_V1',
      stripePriceId: 'price_V1',
      quantity: 2,
      currentPeriodStart: 1_600_000_000,
      currentPeriodEnd: 1_602_592_000,
    },
  ]);
});

test.each(build.API_VERSIONS)('a %s subscription gives its start_date (where the usage drain stamps)', (version) => {
  const s = build.buildersFor(version).subscription({ start_date: 1_767_227_580 }) as unknown as Loose;
  expect(mapSubscription(s).startDate).toBe(1_767_227_580);
  delete s.start_date;
  expect(mapSubscription(s).startDate).toBeNull();
});

test('an item with only a plan (accounts from before Prices) uses the plan id as its price', () => {
  const s = pinned();
  delete s.items.data[0].price;
  s.items.data[0].plan = { id: 'plan_Gold', object: 'plan', amount: 2000, interval: 'month' };
  expect(mapSubscriptionItems(s)[0].stripePriceId).toBe('plan_Gold');
});

test('an item with neither price nor plan, or no period anywhere, is refused with a reason', () => {
  const noPrice = pinned();
  delete noPrice.items.data[0].price;
  delete noPrice.items.data[0].plan;
  expect(() => mapSubscriptionItems(noPrice)).toThrow(/neither price nor plan/);
  const noPeriod = pinned();
  delete noPeriod.items.data[0].current_period_end;
  expect(() => mapSubscriptionItems(noPeriod)).toThrow(PermanentError);
});

test('an invoice links its subscription from parent.subscription_details or, before basil, the top level', () => {
  const current = build.invoice({ id: 'in_V1', customer: 'cus_V1', subscription: 'sub_V1' }) as unknown as Loose;
  expect(mapInvoice(current, null, 1).stripeSubscriptionId).toBe('sub_V1');
  const old = JSON.parse(JSON.stringify(current));
  delete old.parent;
  old.subscription = 'sub_V1';
  expect(mapInvoice(old, null, 1).stripeSubscriptionId).toBe('sub_V1');
  expect(usageFlushFor(old)).toEqual([
    { effect: 'usage_flush', customer: 'cus_V1', subscription: 'sub_V1', invoice: 'in_V1' },
  ]);
  const none = { ...old, subscription: null };
  expect(mapInvoice(none, null, 1).stripeSubscriptionId).toBeNull();
  expect(usageFlushFor(none)).toEqual([]);
});
