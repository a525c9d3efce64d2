/**
 * Many events in one transaction (events/apply.ts, events/batcher.ts): each event's dedupe row
 * and writes still commit together; an event that needs Stripe, is malformed or hits a bug leaves
 * the batch without a trace, with its reason (the first is applied on its own, the others fail
 * their job); a batch that fails as a whole hands every event to its own transaction, so only the
 * bad one fails.
 */
import { EventBatcher, planBatch } from '../../src/events/batcher';
import { PermanentError } from '../../src/events/handler-types';
import {
  applyEvents,
  EventResult,
  prepareStripeEvent,
  PreparedEvent,
  SetAsideReason,
  StripeEventDeps,
} from '../../src/events/apply';
import { createLogger } from '../../src/logger';
import { createStripeClient } from '../../src/stripe';
import * as build from '../../stand-in/events';
import { startTestService, TestService } from '../support/service';

let t: TestService;
let deps: StripeEventDeps;
let stripeReads = 0;
const setAside: SetAsideReason[] = [];
beforeAll(async () => {
  t = await startTestService();
  deps = {
    dataSource: t.service.dataSource,
    stripe: createStripeClient({ secretKey: 'sk_test_x', apiUrl: t.standIn.url }),
    log: createLogger('silent'),
    onStripeRead: () => void (stripeReads += 1),
    onSetAside: (reason) => void setAside.push(reason),
  };
});
afterAll(async () => t.stop());

const q = (sql: string, params: unknown[] = []) =>
  t.service.dataSource.query(sql, params) as Promise<Record<string, unknown>[]>;
const prepared = (evt: object): PreparedEvent =>
  prepareStripeEvent(t.service.dataSource, JSON.parse(JSON.stringify(evt)))!;
const processed = async (ids: string[]) =>
  (await q('SELECT stripe_event_id FROM processed_events WHERE stripe_event_id = ANY($1) ORDER BY 1', [ids])).map(
    (r) => r.stripe_event_id,
  );
/** Each result's outcome, or `aside:<reason>` for an event set aside. */
const summary = ({ results }: { results: EventResult[] }) =>
  results.map((r) => ('setAside' in r ? `aside:${r.setAside}` : r.outcome));
const customerEvent = (n: number, created = 1_700_000_000, name = `Batch ${n}`) =>
  build.event('customer.created', build.customer({ id: `cus_Batch${String(n).padStart(4, '0')}`, name }), { created });

describe('planBatch', () => {
  test('takes entries in arrival order, one per lock key, at most max', () => {
    expect(planBatch(['a', 'b', 'a', 'c', 'b', 'd'], 10)).toEqual([0, 1, 3, 5]);
    expect(planBatch(['a', 'b', 'c', 'd'], 2)).toEqual([0, 1]);
    expect(planBatch(['a', 'a', 'a'], 5)).toEqual([0]);
    expect(planBatch([], 5)).toEqual([]);
  });
});

test('a batch applies every new event once; the same batch again finds them all applied', async () => {
  const events = Array.from({ length: 12 }, (_, n) => customerEvent(100 + n));
  const items = events.map(prepared);
  expect(summary(await applyEvents(deps, items))).toEqual(Array(12).fill('applied'));
  expect(summary(await applyEvents(deps, items))).toEqual(Array(12).fill('duplicate'));
  expect(await processed(events.map((e) => e.id))).toHaveLength(12);
  const stored = await q(
    "SELECT stripe_id, name, watermark FROM customers WHERE stripe_id LIKE 'cus_Batch01%' ORDER BY 1",
  );
  expect(stored).toEqual(
    events.map((e) => ({
      stripe_id: (e.data.object as { id: string }).id,
      name: (e.data.object as { name: string }).name,
      watermark: '1700000000',
    })),
  );
});

test('an event that needs a Stripe read, is malformed or hits a bug is set aside without a trace, with its reason; the others commit', async () => {
  // cus_Batch0200 is stored at second 1_700_000_100, so an event of that same second is a tie.
  await applyEvents(deps, [prepared(customerEvent(200, 1_700_000_100, 'stored'))]);
  const tie = customerEvent(200, 1_700_000_100, 'tie');
  const malformed = build.event('customer.created', { ...build.customer({ id: 'cus_Batch0201' }), email: 42 });
  const fine = customerEvent(202, 1_700_000_100);
  const buggy = customerEvent(203, 1_700_000_100);
  const withBug = { ...prepared(buggy) };
  withBug.handler = {
    ...withBug.handler,
    decide: async () => {
      throw new TypeError('a bug');
    },
  };
  const reads = stripeReads;
  const results = await applyEvents(deps, [...[tie, malformed, fine].map(prepared), withBug]);
  expect(summary(results)).toEqual(['aside:needs_stripe_read', 'aside:invalid_payload', 'applied', 'aside:error']);
  expect((results.results[3] as { error: unknown }).error).toBeInstanceOf(TypeError);
  expect(stripeReads).toBe(reads);
  expect(await processed([tie.id, malformed.id, fine.id, buggy.id])).toEqual([fine.id]);
  expect(await q("SELECT name FROM customers WHERE stripe_id = 'cus_Batch0200'")).toEqual([{ name: 'stored' }]);
  expect(await q("SELECT 1 FROM customers WHERE stripe_id = 'cus_Batch0201'")).toEqual([]);
});

test('the batcher groups concurrent events, serializes one customer, and gives each job its own result', async () => {
  const sizes: number[] = [];
  const batcher = new EventBatcher(deps, { maxBatch: 50, maxInFlight: 1, onTransaction: (n) => sizes.push(n) });
  // Truth for the tie: the stand-in holds the customer's current state.
  const tieCustomer = build.customer({ id: 'cus_Batch0300', name: 'truth' });
  t.standIn.put(tieCustomer);
  await batcher.apply(build.event('customer.created', { ...tieCustomer, name: 'first' }, { created: 1_700_000_200 }));

  const distinct = Array.from({ length: 30 }, (_, n) => customerEvent(310 + n, 1_700_000_200));
  // Three versions of one customer, newest first, all in flight together: the older ones must see
  // the newest one's write (in a later transaction), not the row as it was before the batch.
  const versions = [3, 2, 1].map((v) => customerEvent(350, 1_700_000_200 + v, `v${v}`));
  const tie = build.event('customer.updated', { ...tieCustomer, name: 'tie' }, { created: 1_700_000_200 });
  const malformed = build.event('customer.created', { ...build.customer({ id: 'cus_Batch0360' }), email: 42 });
  const reads = stripeReads;
  const results = await Promise.allSettled(
    [...distinct, ...versions, tie, malformed].map((e) => batcher.apply(JSON.parse(JSON.stringify(e)))),
  );

  expect(results.slice(0, 30).map((r) => r.status === 'fulfilled' && r.value)).toEqual(Array(30).fill('applied'));
  expect(results.slice(30, 33).map((r) => r.status === 'fulfilled' && r.value)).toEqual([
    'applied',
    'skipped',
    'skipped',
  ]);
  expect(results[33]).toEqual({ status: 'fulfilled', value: 'refetched' });
  expect(results[34].status).toBe('rejected');
  expect((results[34] as PromiseRejectedResult).reason).toBeInstanceOf(PermanentError);
  expect(stripeReads - reads).toBe(1);
  // The tie was set aside once and applied on its own; the malformed one failed without a second try.
  expect(setAside.filter((r) => r === 'invalid_payload').length).toBeGreaterThanOrEqual(1);
  expect(await q("SELECT name, watermark FROM customers WHERE stripe_id = 'cus_Batch0350'")).toEqual([
    { name: 'v3', watermark: '1700000203' },
  ]);
  expect(await q("SELECT name FROM customers WHERE stripe_id = 'cus_Batch0300'")).toEqual([{ name: 'truth' }]);
  expect(await processed([...distinct, ...versions, tie].map((e) => e.id))).toHaveLength(34);
  // Batches happened (more than one event per transaction), and one customer's versions never shared one.
  expect(Math.max(...sizes)).toBeGreaterThan(1);
  expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(35);
});

test('a batch whose write fails rolls back as a whole; every event then gets its own transaction and only the bad one fails', async () => {
  const sizes: number[] = [];
  const batcher = new EventBatcher(deps, { maxBatch: 50, maxInFlight: 1, onTransaction: (n) => sizes.push(n) });
  // Out of range for the quantity column: PostgreSQL refuses the write in the closing round trip.
  const huge = build.event(
    'customer.subscription.created',
    build.subscription({
      customer: 'cus_Batch0400',
      items: [{ id: 'si_BatchHuge', price: 'price_A', quantity: 3_000_000_000 }],
    }),
  );
  const others = Array.from({ length: 8 }, (_, n) => customerEvent(410 + n));
  // Hold the one transaction slot so all nine arrive while it is busy and form one batch.
  const opener = batcher.apply(JSON.parse(JSON.stringify(customerEvent(409))));
  const results = await Promise.allSettled([huge, ...others].map((e) => batcher.apply(JSON.parse(JSON.stringify(e)))));
  await opener;

  expect(sizes).toContain(9);
  expect(results[0].status).toBe('rejected');
  expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/out of range/);
  expect(results.slice(1).map((r) => r.status === 'fulfilled' && r.value)).toEqual(Array(8).fill('applied'));
  expect(await processed([huge.id])).toEqual([]);
  expect(await processed(others.map((e) => e.id))).toHaveLength(8);
});
