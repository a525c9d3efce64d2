/** Pure parts of the stripe_objects mirror and the dispatcher: payment details dropped, who handles what. */
import { mapEntitlementSummary, replaceEntitlementsStatements } from '../../../src/events/handlers/entitlements';
import { handlerFor, handlers } from '../../../src/events/handlers';
import { mapStripeObject } from '../../../src/events/handlers/stripe-object';
import { eventKey } from '../../../src/queues/stripe-event';

const paymentMethod = {
  id: 'pm_1',
  object: 'payment_method',
  customer: { id: 'cus_PM', object: 'customer' },
  type: 'card',
  billing_details: { name: 'Ada', email: 'ada@example.com' },
  card: {
    brand: 'visa',
    country: 'US',
    last4: '4242',
    exp_month: 12,
    exp_year: 2030,
    fingerprint: 'Xt5EWLLDS7FJjR1c',
    funding: 'credit',
    checks: { cvc_check: 'pass' },
    networks: { available: ['visa'] },
  },
};

test('a payment method keeps its id, customer and brand but no last4, expiry or fingerprint', () => {
  const row = mapStripeObject(paymentMethod);
  expect(row).toMatchObject({ stripeId: 'pm_1', type: 'payment_method', stripeCustomerId: 'cus_PM' });
  const text = JSON.stringify(row.data);
  for (const field of ['4242', '2030', 'Xt5EWLLDS7FJjR1c', '"last4"', '"exp_month"', '"exp_year"', '"fingerprint"'])
    expect(text).not.toContain(field);
  expect((row.data.card as Record<string, unknown>).brand).toBe('visa');
});

test('payment details are dropped at any depth, in arrays too; a credit note keeps its number (lib/payment-details.ts)', () => {
  const charge = {
    id: 'ch_1',
    object: 'charge',
    payment_method_details: { type: 'card', card: { last4: '1111', exp_year: 2031, brand: 'mc' } },
    refunds: {
      data: [{ id: 're_1', object: 'refund', source: { object: 'card', id: 'card_1', number: '4242424242424242' } }],
    },
  };
  expect(mapStripeObject(charge).data).toEqual({
    id: 'ch_1',
    object: 'charge',
    payment_method_details: { type: 'card', card: { brand: 'mc' } },
    refunds: { data: [{ id: 're_1', object: 'refund', source: { object: 'card', id: 'card_1' } }] },
  });
  const note = { id: 'cn_1', object: 'credit_note', number: 'ABCD-1234-CN-01', metadata: { number: '7' } };
  expect(mapStripeObject(note).data).toEqual(note);
});

const event = (type: string, object: Record<string, unknown>) => ({ type, data: { object } });

test("the dispatcher: the table first, then the object type's mirror, nothing for objects without id", () => {
  expect(handlerFor(event('customer.created', { id: 'cus_1', object: 'customer' }))).toBe(handlers['customer.created']);
  // Not in the table, but objects with ids: their mirror (test/events/handlers/stripe-object.int.test.ts shows which table).
  expect(handlerFor(event('invoice.sent', { id: 'in_1', object: 'invoice', customer: 'cus_1' }))).toBeDefined();
  expect(handlerFor(event('charge.dispute.created', { id: 'dp_1', object: 'dispute', charge: 'ch_1' }))).toBeDefined();
  expect(handlerFor(event('balance.available', { object: 'balance', available: [] }))).toBeUndefined();
  expect(handlerFor(event('invoice.upcoming', { object: 'invoice', customer: 'cus_1' }))).toBeUndefined();
  expect(
    handlerFor(
      event('entitlements.active_entitlement_summary.updated', {
        object: 'entitlements.active_entitlement_summary',
        customer: 'cus_1',
      }),
    ),
  ).toBe(handlers['entitlements.active_entitlement_summary.updated']);
});

test('lock keys: an object of a customer locks the customer, one without locks itself', () => {
  const keyOf = (object: Record<string, unknown>) => eventKey({ id: 'evt_1', data: { object } }).key;
  expect(keyOf(paymentMethod)).toBe('cus_PM');
  expect(keyOf({ id: 'co_1', object: 'coupon' })).toBe('co_1');
});

test('an entitlement summary maps to its customer and features; has_more marks it incomplete', () => {
  const summary = {
    object: 'entitlements.active_entitlement_summary',
    customer: 'cus_E',
    entitlements: {
      object: 'list',
      data: [
        { id: 'ent_1', object: 'entitlements.active_entitlement', feature: 'feat_1', lookup_key: 'sso' },
        { id: 'ent_2', feature: { id: 'feat_2' }, lookup_key: 'reports' },
      ],
      has_more: true,
    },
  };
  expect(mapEntitlementSummary(summary)).toEqual({
    customer: 'cus_E',
    complete: false,
    entitlements: [
      { id: 'ent_1', feature: 'feat_1', lookupKey: 'sso' },
      { id: 'ent_2', feature: 'feat_2', lookupKey: 'reports' },
    ],
  });
  expect(() => mapEntitlementSummary({ ...summary, customer: 42 })).toThrow(/customer/);
  const statements = replaceEntitlementsStatements(
    'cus_E',
    [
      { id: 'ent_1', feature: 'feat_1', lookupKey: 'sso' },
      { id: 'ent_1b', feature: 'feat_1', lookupKey: 'sso' },
    ],
    7,
  );
  expect(statements.map((s) => s.values)).toEqual([['cus_E'], ['cus_E', 'feat_1', 'sso', 'ent_1b'], ['cus_E', 7]]);
  expect(replaceEntitlementsStatements('cus_E', [], 8)).toHaveLength(2);
});
