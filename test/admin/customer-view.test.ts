/** The customer page's decisions: the invoice a reason names, failures per invoice, what a resync changed. */
import type { CustomerStory } from '../../src/admin/customer-model';
import { causeInvoice, failuresByInvoice, storyChanges } from '../../src/admin/customer-view';

test('the invoice a payment_failed reason names', () => {
  expect(causeInvoice('payment_failed:in_1Abc')).toBe('in_1Abc');
  expect(causeInvoice('payment_failed_in_grace_period')).toBeNull();
  expect(causeInvoice('subscription_past_due')).toBeNull();
});

test('failures are grouped by the invoice they name; objects without a failure are left out', () => {
  const objects = [
    { stripe_id: 'ch_1', invoice: 'in_1', failure_code: 'card_declined', failure_message: null },
    { stripe_id: 'pi_1', invoice: 'in_1', failure_code: null, failure_message: 'Insufficient funds' },
    { stripe_id: 'ch_2', invoice: 'in_2', failure_code: null, failure_message: null },
    { stripe_id: 'ch_3', invoice: null, failure_code: 'expired_card', failure_message: null },
  ];
  const byInvoice = failuresByInvoice(objects);
  expect([...byInvoice.keys()]).toEqual(['in_1']);
  expect(byInvoice.get('in_1')!.map((o) => o.stripe_id)).toEqual(['ch_1', 'pi_1']);
});

const story = (over: Partial<CustomerStory>): CustomerStory => ({
  id: 'cus_A',
  customer: { stripe_id: 'cus_A', email: 'a@example.com', name: 'A', deleted: false },
  subscriptions: [{ stripe_id: 'sub_1', status: 'past_due', cancel_at_period_end: false, deleted: false }],
  items: [],
  invoices: [
    {
      stripe_id: 'in_1',
      status: 'open',
      amount_paid: '0',
      amount_remaining: '900',
      payment_failed_at: '5',
      deleted: false,
    },
  ],
  stored: null,
  access: { access: false, status: 'past_due', reason: 'subscription_past_due' },
  entitlements: [],
  usage: null,
  events: [],
  notifications: { ok: true, value: [] },
  objects: [],
  ...over,
});

test('what a resync changed: the answer first, then each field of each row, new rows as added', () => {
  const before = story({});
  const after = story({
    subscriptions: [{ stripe_id: 'sub_1', status: 'active', cancel_at_period_end: false, deleted: false }],
    invoices: [
      {
        stripe_id: 'in_1',
        status: 'paid',
        amount_paid: '900',
        amount_remaining: '0',
        payment_failed_at: null,
        deleted: false,
      },
      {
        stripe_id: 'in_2',
        status: 'draft',
        amount_paid: '0',
        amount_remaining: '0',
        payment_failed_at: null,
        deleted: false,
      },
    ],
    access: { access: true, status: 'active', reason: 'subscription_active' },
  });
  expect(storyChanges(before, after)).toEqual([
    { what: 'access', from: 'no access (subscription_past_due)', to: 'access (subscription_active)' },
    { what: 'subscription sub_1 status', from: 'past_due', to: 'active' },
    { what: 'invoice in_1 status', from: 'open', to: 'paid' },
    { what: 'invoice in_1 amount_paid', from: '0', to: '900' },
    { what: 'invoice in_1 amount_remaining', from: '900', to: '0' },
    { what: 'invoice in_1 payment_failed_at', from: '5', to: '—' },
    { what: 'invoice in_2', from: 'not in the mirror', to: 'added' },
  ]);
  expect(storyChanges(before, story({}))).toEqual([]);
});

test('a customer the mirror lacked appears as added', () => {
  expect(storyChanges(story({ customer: null }), story({}))).toEqual([
    { what: 'customer cus_A', from: 'not in the mirror', to: 'added' },
  ]);
});
