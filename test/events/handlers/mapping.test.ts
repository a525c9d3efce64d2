import { PermanentError } from '../../../src/events/handler-types';
import { mapCheckoutSession } from '../../../src/events/handlers/checkout-session';
import { mapCustomer } from '../../../src/events/handlers/customer';
import { isFailingUnpaid, mapInvoice } from '../../../src/events/handlers/invoice';
import { mapPrice } from '../../../src/events/handlers/price';
import { mapProduct } from '../../../src/events/handlers/product';
import { mapSubscription, mapSubscriptionItems } from '../../../src/events/handlers/subscription';
import * as build from '../../../stand-in/events';

test('customer: id, email and name only', () => {
  const c = build.customer({ id: 'cus_A', email: 'a@example.com', name: 'Ada' });
  expect(mapCustomer(c)).toEqual({ stripeId: 'cus_A', email: 'a@example.com', name: 'Ada' });
});

test('product and price', () => {
  expect(mapProduct(build.product({ id: 'prod_1', name: 'Pro', active: false }))).toEqual({
    stripeId: 'prod_1',
    name: 'Pro',
    active: false,
  });
  const p = build.price({ id: 'price_1', product: 'prod_1', unit_amount: 1200, currency: 'eur', meter: 'mtr_1' });
  expect(mapPrice(p)).toMatchObject({
    stripeId: 'price_1',
    stripeProductId: 'prod_1',
    unitAmount: 1200,
    currency: 'eur',
    active: true,
    type: 'recurring',
    recurringInterval: 'month',
    usageType: 'metered',
    meter: 'mtr_1',
  });
});

test('subscription: items carry the period dates (API 2026-10-28)', () => {
  const s = build.subscription({
    id: 'sub_1',
    customer: 'cus_A',
    status: 'past_due',
    cancel_at_period_end: true,
    items: [{ id: 'si_1', price: 'price_1', quantity: 3, current_period_start: 100, current_period_end: 200 }],
  });
  expect(mapSubscription(s)).toMatchObject({
    stripeId: 'sub_1',
    stripeCustomerId: 'cus_A',
    status: 'past_due',
    cancelAtPeriodEnd: true,
  });
  expect(mapSubscriptionItems(s)).toEqual([
    {
      stripeId: 'si_1',
      stripeSubscriptionId: 'sub_1',
      stripePriceId: 'price_1',
      quantity: 3,
      currentPeriodStart: 100,
      currentPeriodEnd: 200,
    },
  ]);
});

test('subscription accepts an expanded customer', () => {
  const s = build.subscription({ customer: 'cus_A' });
  expect(mapSubscription({ ...s, customer: { id: 'cus_B', object: 'customer' } }).stripeCustomerId).toBe('cus_B');
});

describe('invoice', () => {
  const failed = () =>
    build.invoice({
      id: 'in_1',
      customer: 'cus_A',
      subscription: 'sub_1',
      status: 'open',
      attempted: true,
      amount_due: 500,
      amount_paid: 0,
      amount_remaining: 500,
    });

  test('links the subscription through parent.subscription_details', () => {
    expect(mapInvoice(failed(), null, 10)).toMatchObject({
      stripeId: 'in_1',
      stripeCustomerId: 'cus_A',
      stripeSubscriptionId: 'sub_1',
      status: 'open',
    });
  });

  test('a failing invoice starts the grace clock once and keeps it', () => {
    expect(mapInvoice(failed(), null, 10).paymentFailedAt).toBe(10);
    expect(mapInvoice(failed(), { paymentFailedAt: 7 }, 10).paymentFailedAt).toBe(7);
  });

  test('a paid invoice clears it', () => {
    const paid = { ...failed(), status: 'paid', amount_paid: 500, amount_remaining: 0 };
    expect(mapInvoice(paid, { paymentFailedAt: 7 }, 20).paymentFailedAt).toBeNull();
  });

  test.each([
    [{ attempted: true, status: 'open', amountRemaining: 1 }, true],
    [{ attempted: true, status: 'uncollectible', amountRemaining: 1 }, true],
    [{ attempted: false, status: 'open', amountRemaining: 1 }, false],
    [{ attempted: true, status: 'paid', amountRemaining: 0 }, false],
    [{ attempted: true, status: 'void', amountRemaining: 1 }, false],
    [{ attempted: true, status: 'draft', amountRemaining: 1 }, false],
  ])('isFailingUnpaid(%o) = %s', (input, expected) => {
    expect(isFailingUnpaid(input)).toBe(expected);
  });
});

test('checkout session', () => {
  const s = build.checkoutSession({
    id: 'cs_1',
    customer: 'cus_A',
    subscription: 'sub_1',
    mode: 'subscription',
    payment_status: 'paid',
    status: 'complete',
  });
  expect(mapCheckoutSession(s)).toMatchObject({
    stripeId: 'cs_1',
    stripeCustomerId: 'cus_A',
    stripeSubscriptionId: 'sub_1',
    mode: 'subscription',
    paymentStatus: 'paid',
  });
});

test('a malformed object is a permanent error naming the field', () => {
  expect(() => mapSubscription({ id: 'sub_1', object: 'subscription', customer: 'cus_A' })).toThrow(PermanentError);
  expect(() => mapInvoice({ id: 'in_1', object: 'invoice', customer: 'cus_A', amount_due: 'ten' }, null, 1)).toThrow(
    /amount_due/,
  );
});
