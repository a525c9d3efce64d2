/** The hand-written envelope check (queues/stripe-event.ts): what passes, what it keeps, and each reason. */
import { parseStripeEvent } from '../../src/queues/stripe-event';
import * as build from '../../stand-in/events';

const valid = () =>
  JSON.parse(
    JSON.stringify(
      build.event('customer.updated', build.customer({ id: 'cus_Env1' }), {
        id: 'evt_1Env',
        created: 1_700_000_000,
        previousAttributes: { email: 'old@example.com' },
      }),
    ),
  ) as Record<string, unknown>;

test('a Stripe event passes with its envelope fields and the very same data.object', () => {
  const body = valid();
  const parsed = parseStripeEvent(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  expect(parsed.event).toEqual({
    id: 'evt_1Env',
    object: 'event',
    type: 'customer.updated',
    created: 1_700_000_000,
    livemode: false,
    api_version: body.api_version,
    data: { object: (body.data as { object: unknown }).object },
  });
  expect(parsed.event.data.object).toBe((body.data as { object: unknown }).object);
  // request, previous_attributes … stay out of the job; api_version tells the mappers which shape to expect.
  expect(Object.keys(parsed.event).sort()).toEqual([
    'api_version',
    'created',
    'data',
    'id',
    'livemode',
    'object',
    'type',
  ]);
  expect(Object.keys(parsed.event.data)).toEqual(['object']);
});

test.each([
  ['not an object', () => 'evt_1', 'body: expected an object'],
  ['an array', () => [], 'body: expected an object'],
  ['a non-evt id', (e: Record<string, unknown>) => ({ ...e, id: 'cus_1' }), 'id: must be an evt_ id'],
  ['an id with spaces', (e: Record<string, unknown>) => ({ ...e, id: 'evt_1 x' }), 'id: must be an evt_ id'],
  ['another object', (e: Record<string, unknown>) => ({ ...e, object: 'customer' }), 'object: must be "event"'],
  ['an empty type', (e: Record<string, unknown>) => ({ ...e, type: '' }), 'type: must be a non-empty string'],
  [
    'a fractional created',
    (e: Record<string, unknown>) => ({ ...e, created: 1.5 }),
    'created: must be a positive integer',
  ],
  [
    'a string created',
    (e: Record<string, unknown>) => ({ ...e, created: '1700000000' }),
    'created: must be a positive integer',
  ],
  ['a zero created', (e: Record<string, unknown>) => ({ ...e, created: 0 }), 'created: must be a positive integer'],
  ['a string livemode', (e: Record<string, unknown>) => ({ ...e, livemode: 'false' }), 'livemode: must be a boolean'],
  ['no data', (e: Record<string, unknown>) => ({ ...e, data: null }), 'data: expected an object'],
  ['no data.object', (e: Record<string, unknown>) => ({ ...e, data: {} }), 'data.object: expected an object'],
])('%s is refused with a reason', (_, mutate, reason) => {
  expect(parseStripeEvent(mutate(valid()))).toEqual({ ok: false, reason });
});

test.each([
  ['balance.available', { object: 'balance', available: [{ amount: 100, currency: 'usd' }], livemode: false }],
  ['invoice.upcoming', { object: 'invoice', customer: 'cus_1', amount_due: 500 }],
  [
    'entitlements.active_entitlement_summary.updated',
    {
      object: 'entitlements.active_entitlement_summary',
      customer: 'cus_1',
      entitlements: { object: 'list', data: [], has_more: false },
    },
  ],
  ['an object with no `object` either', { amount: 1 }],
])('%s: an object without id is a normal event, not a refusal', (type, object) => {
  const parsed = parseStripeEvent({ ...valid(), type, data: { object } });
  expect(parsed.ok).toBe(true);
});

test('payment details are scrubbed before the event can be enqueued; the body itself is not changed', () => {
  const pm = build.object('payment_method', { id: 'pm_Env1', card: { last4: '4242', exp_year: 2031 } });
  const body = { ...valid(), type: 'payment_method.attached', data: { object: pm } };
  const parsed = parseStripeEvent(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  expect(parsed.event.data.object).toMatchObject({ id: 'pm_Env1', card: { brand: 'visa' } });
  expect(JSON.stringify(parsed.event)).not.toMatch(/last4|exp_year|fingerprint|billing_details/);
  expect(pm.card).toHaveProperty('last4', '4242');
});
