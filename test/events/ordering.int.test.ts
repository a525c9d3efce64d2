/** Exactly-once and order safety: duplicates, concurrent runs, reversed and shuffled lifecycles, same-second ties. */
import type Stripe from 'stripe';
import { EventBatcher } from '../../src/events/batcher';
import { createLogger } from '../../src/logger';
import { createStripeClient } from '../../src/stripe';
import * as build from '../../stand-in/events';
import { seededRandom, shuffle } from '../../stand-in/util';
import { settle, startTestService, TestService } from '../support/service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => t.stop());

const query = (sql: string, params: unknown[] = []) => t.service.dataSource.query(sql, params);
const T0 = 1_750_000_000;

/** A seeded shuffle of a copy, so a failing order can be replayed. */
const shuffled = <T>(items: T[], seed: number): T[] => shuffle([...items], seededRandom(seed));

async function deliverAll(events: Stripe.Event[], concurrently = false): Promise<void> {
  if (concurrently) {
    const statuses = await Promise.all(events.map((e) => t.deliver(e).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
  } else {
    for (const e of events) expect((await t.deliver(e)).status).toBe(200);
  }
  await settle(t);
}

test('the same event delivered 5 times concurrently has one effect', async () => {
  const c = build.customer({ email: 'once@example.com' });
  const evt = build.event('customer.created', c);
  await deliverAll(
    Array.from({ length: 5 }, () => evt),
    true,
  );
  expect(await query('SELECT count(*)::int AS n FROM processed_events WHERE stripe_event_id = $1', [evt.id])).toEqual([
    { n: 1 },
  ]);
  expect(await query('SELECT email FROM customers WHERE stripe_id = $1', [c.id])).toEqual([
    { email: 'once@example.com' },
  ]);
});

test('a job run several times at once (stalled and re-run) applies once', async () => {
  const stripe = createStripeClient({ secretKey: 'sk_test_x', apiUrl: t.standIn.url });
  const deps = { dataSource: t.service.dataSource, stripe, log: createLogger('silent') };
  // Each run in its own worker process: its own batcher, as jobs/stripe-events.ts makes one per process.
  const worker = () => new EventBatcher(deps, { maxBatch: 50, maxInFlight: 4 });
  const evt = build.event(
    'invoice.paid',
    build.invoice({ customer: 'cus_Twice0001', status: 'paid', amount_paid: 2000, amount_remaining: 0 }),
  );
  const outcomes = await Promise.all(Array.from({ length: 5 }, () => worker().apply(JSON.parse(JSON.stringify(evt)))));
  expect(outcomes.sort()).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
  // An operator retrying the completed job later changes nothing either.
  expect(await worker().apply(JSON.parse(JSON.stringify(evt)))).toBe('duplicate');
});

/** A customer's lifecycle, rendered in `version` (the webhook endpoint's API version). */
function lifecycle(customer: string, version: build.ApiVersion = build.API_VERSION) {
  const b = build.buildersFor(version);
  const sub = (status: string, extra: Partial<Stripe.Subscription> = {}) =>
    b.subscription({
      id: `sub_${customer.slice(4)}`,
      customer,
      status,
      items: [{ id: `si_${customer.slice(4)}`, price: 'price_Pro' }],
      ...extra,
    } as never);
  const inv = (status: string, attempted: boolean, paid: boolean) =>
    b.invoice({
      id: `in_${customer.slice(4)}`,
      customer,
      subscription: `sub_${customer.slice(4)}`,
      status,
      attempted,
      amount_due: 900,
      amount_paid: paid ? 900 : 0,
      amount_remaining: paid ? 0 : 900,
    });
  return [
    b.event('customer.created', b.customer({ id: customer, email: 'v1@example.com' }), { created: T0 }),
    b.event('customer.subscription.created', sub('incomplete'), { created: T0 + 1 }),
    b.event('invoice.created', inv('draft', false, false), { created: T0 + 2 }),
    b.event('invoice.payment_failed', inv('open', true, false), { created: T0 + 3 }),
    b.event('customer.subscription.updated', sub('past_due'), { created: T0 + 4 }),
    b.event('customer.updated', b.customer({ id: customer, email: 'v2@example.com' }), { created: T0 + 5 }),
    b.event('invoice.paid', inv('paid', true, true), { created: T0 + 6 }),
    b.event('customer.subscription.updated', sub('active', { cancel_at_period_end: true }), { created: T0 + 7 }),
  ];
}

async function finalState(customer: string) {
  return {
    customer: await query('SELECT email, deleted FROM customers WHERE stripe_id = $1', [customer]),
    subscription: await query('SELECT status, cancel_at_period_end FROM subscriptions WHERE stripe_customer_id = $1', [
      customer,
    ]),
    invoice: await query('SELECT status, amount_paid, payment_failed_at FROM invoices WHERE stripe_customer_id = $1', [
      customer,
    ]),
    access: (await t.v1('GET', `/customers/${customer}/access`)).json,
  };
}

const newest = (customer: string) => ({
  customer: [{ email: 'v2@example.com', deleted: false }],
  subscription: [{ status: 'active', cancel_at_period_end: true }],
  invoice: [{ status: 'paid', amount_paid: '900', payment_failed_at: null }],
  access: { customer, access: true, status: 'active', reason: 'subscription_active' },
});

// Every lifecycle runs in the shapes of each API version an endpoint may render events in.
describe.each(build.API_VERSIONS.map((v, n) => [v, n]))('API version %s', (version, n) => {
  test('a lifecycle delivered in order ends in the newest state', async () => {
    await deliverAll(lifecycle(`cus_InOrder${n}01`, version));
    expect(await finalState(`cus_InOrder${n}01`)).toEqual(newest(`cus_InOrder${n}01`));
  });

  test('the same lifecycle delivered reversed ends in the same state', async () => {
    await deliverAll(lifecycle(`cus_Reversed${n}1`, version).reverse());
    expect(await finalState(`cus_Reversed${n}1`)).toEqual(newest(`cus_Reversed${n}1`));
  });

  test('shuffled, concurrently', async () => {
    await deliverAll(shuffled(lifecycle(`cus_Shuffled${n}1`, version), 11 + n), true);
    expect(await finalState(`cus_Shuffled${n}1`)).toEqual(newest(`cus_Shuffled${n}1`));
  });
});

test.each([1, 2, 3, 4, 5])('shuffled (seed %i), sequentially and concurrently', async (seed) => {
  const sequential = `cus_Shuffle${seed}0`;
  await deliverAll(shuffled(lifecycle(sequential), seed));
  expect(await finalState(sequential)).toEqual(newest(sequential));
  const concurrent = `cus_Shuffle${seed}1`;
  await deliverAll(shuffled(lifecycle(concurrent), seed * 7), true);
  expect(await finalState(concurrent)).toEqual(newest(concurrent));
});

test('a deletion is not undone by a late update', async () => {
  const c = build.customer();
  await deliverAll([build.event('customer.deleted', c, { created: T0 + 10 })]);
  await deliverAll([build.event('customer.updated', { ...c, email: 'zombie@example.com' }, { created: T0 + 20 })]);
  expect(await query('SELECT email, deleted FROM customers WHERE stripe_id = $1', [c.id])).toEqual([
    { email: c.email, deleted: true },
  ]);
});

describe('two events in the same second are resolved by what Stripe says now', () => {
  test.each([
    ['active first', ['active', 'past_due']],
    ['past_due first', ['past_due', 'active']],
  ])('%s', async (_name, order) => {
    const customer = `cus_Tie${order[0].replace('_', '')}`;
    const truth = build.subscription({ customer, status: 'past_due' });
    t.standIn.put(truth);
    const before = t.standIn.countRequests({ method: 'GET', pathPrefix: `/v1/subscriptions/${truth.id}` });
    const events = order.map((status) =>
      build.event('customer.subscription.updated', { ...truth, status }, { created: T0 + 100 }),
    );
    await deliverAll(events);
    expect(await query('SELECT status FROM subscriptions WHERE stripe_id = $1', [truth.id])).toEqual([
      { status: 'past_due' },
    ]);
    expect(t.standIn.countRequests({ method: 'GET', pathPrefix: `/v1/subscriptions/${truth.id}` }) - before).toBe(1);
  });

  test('a tie on an object Stripe no longer has marks it deleted', async () => {
    const c = build.customer();
    await deliverAll([build.event('customer.updated', c, { created: T0 + 200 })]);
    await deliverAll([build.event('customer.updated', { ...c, name: 'Other' }, { created: T0 + 200 })]);
    expect(await query('SELECT deleted FROM customers WHERE stripe_id = $1', [c.id])).toEqual([{ deleted: true }]);
  });
});

test('many concurrent events of one customer serialize without deadlocks', async () => {
  const customer = 'cus_Busy000001';
  const events = Array.from({ length: 40 }, (_, i) =>
    i % 2
      ? build.event(
          'customer.subscription.updated',
          build.subscription({ id: 'sub_Busy', customer, status: i === 39 ? 'trialing' : 'active' }),
          { created: T0 + i },
        )
      : build.event('invoice.updated', build.invoice({ id: 'in_Busy', customer, amount_due: i }), { created: T0 + i }),
  );
  await deliverAll(shuffled(events, 42), true);
  const failed = await t.service.eventQueues!.getJobCounts('failed');
  expect(failed.failed).toBe(0);
  expect(await query('SELECT status FROM subscriptions WHERE stripe_id = $1', ['sub_Busy'])).toEqual([
    { status: 'trialing' },
  ]);
  expect(await query('SELECT amount_due FROM invoices WHERE stripe_id = $1', ['in_Busy'])).toEqual([
    { amount_due: '38' },
  ]);
});
