/**
 * Many events in one transaction, through the production path (events/batcher.ts, which commits
 * through events/apply.ts `commitAndPublish`): each event's dedupe row and writes still commit
 * together; an event that needs Stripe, is malformed or hits a bug leaves the batch without a
 * trace, with its reason (the first is applied on its own, the others fail their job); a batch
 * that fails as a whole hands every event to its own transaction, so only the bad one fails; a
 * feed that cannot be written fails every job of its batch; a failed after-commit effect fails
 * only its own job.
 */
import { commitAndPublish, prepareStripeEvent, StripeEventDeps } from '../../src/events/apply';
import { EventBatcher, planBatch } from '../../src/events/batcher';
import type { EventResult, PreparedEvent, SetAsideReason } from '../../src/events/event-transaction';
import { PermanentError } from '../../src/events/handler-types';
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
const copy = (evt: object): unknown => JSON.parse(JSON.stringify(evt));
const prepared = (evt: object): PreparedEvent => prepareStripeEvent(deps, copy(evt))!;
const processed = async (ids: string[]) =>
  (await q('SELECT stripe_event_id FROM processed_events WHERE stripe_event_id = ANY($1) ORDER BY 1', [ids])).map(
    (r) => r.stripe_event_id,
  );
/** Each result's outcome, or `aside:<reason>` for an event set aside. */
const summary = (results: EventResult[]) =>
  results.map((r) => ('setAside' in r ? `aside:${r.setAside}` : 'outcome' in r ? r.outcome : 'effect failed'));
const customerEvent = (n: number, created = 1_700_000_000, name = `Batch ${n}`) =>
  build.event('customer.created', build.customer({ id: `cus_Batch${String(n).padStart(4, '0')}`, name }), { created });
const outcomes = (settled: PromiseSettledResult<unknown>[]) =>
  settled.map((r) => (r.status === 'fulfilled' ? r.value : `rejected: ${String(r.reason)}`));

/**
 * `events` submitted together while an opener holds the batcher's one transaction slot, so they
 * form one batch; each one's settled result, and the sizes of the transactions it opened.
 */
let openers = 0;
async function inOneBatch(
  events: object[],
  batchDeps: StripeEventDeps = deps,
): Promise<{ settled: PromiseSettledResult<unknown>[]; sizes: number[] }> {
  const sizes: number[] = [];
  const batcher = new EventBatcher(batchDeps, { maxBatch: 50, maxInFlight: 1, onTransaction: (n) => sizes.push(n) });
  const opener = batcher.apply(copy(customerEvent(900 + openers++)));
  const settled = await Promise.allSettled(events.map((e) => batcher.apply(copy(e))));
  await opener.catch(() => undefined);
  return { settled, sizes: sizes.slice(1) };
}

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
  const first = await inOneBatch(events);
  expect(first.sizes).toEqual([12]);
  expect(outcomes(first.settled)).toEqual(Array(12).fill('applied'));
  const again = await inOneBatch(events);
  expect(again.sizes).toEqual([12]);
  expect(outcomes(again.settled)).toEqual(Array(12).fill('duplicate'));
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
  await new EventBatcher(deps, { maxBatch: 1, maxInFlight: 1 }).apply(
    copy(customerEvent(200, 1_700_000_100, 'stored')),
  );
  const tie = customerEvent(200, 1_700_000_100, 'tie');
  const malformed = build.event('customer.created', { ...build.customer({ id: 'cus_Batch0201' }), email: 42 });
  const fine = customerEvent(202, 1_700_000_100);
  const buggy = customerEvent(203, 1_700_000_100);
  // A bug cannot be sent as a payload: the batch is committed as the batcher commits it, one handler swapped.
  const withBug = { ...prepared(buggy) };
  withBug.handler = {
    ...withBug.handler,
    decide: async () => {
      throw new TypeError('a bug');
    },
  };
  const reads = stripeReads;
  const committed = await commitAndPublish(deps, { items: [...[tie, malformed, fine].map(prepared), withBug] });
  if (committed.stage !== 'published') throw committed.error;
  expect(summary(committed.results)).toEqual([
    'aside:needs_stripe_read',
    'aside:invalid_payload',
    'applied',
    'aside:error',
  ]);
  expect((committed.results[3] as { error: unknown }).error).toBeInstanceOf(TypeError);
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
    [...distinct, ...versions, tie, malformed].map((e) => batcher.apply(copy(e))),
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
  // Out of range for the quantity column: PostgreSQL refuses the write in the closing round trip.
  const huge = build.event(
    'customer.subscription.created',
    build.subscription({
      customer: 'cus_Batch0400',
      items: [{ id: 'si_BatchHuge', price: 'price_A', quantity: 3_000_000_000 }],
    }),
  );
  const others = Array.from({ length: 8 }, (_, n) => customerEvent(410 + n));
  const { settled, sizes } = await inOneBatch([huge, ...others]);

  expect(sizes).toEqual([9, ...Array(9).fill(1)]);
  expect(outcomes(settled)[0]).toMatch(/^rejected: .*out of range/);
  expect(outcomes(settled).slice(1)).toEqual(Array(8).fill('applied'));
  expect(await processed([huge.id])).toEqual([]);
  expect(await processed(others.map((e) => e.id))).toHaveLength(8);
});

test('a feed that cannot be written fails every job of its batch, committed; their re-runs are duplicates that name the customers', async () => {
  const named: string[] = [];
  let feedDown = true;
  const invalidate = async (customers: string[]) => {
    if (feedDown) throw new Error('feed down');
    named.push(...customers);
  };
  const withFeed = { ...deps, access: { graceSeconds: 0, notify: false, invalidate } };
  const events = [500, 501, 502].map((n) => customerEvent(n));
  const ids = events.map((e) => (e.data.object as { id: string }).id);
  const down = await inOneBatch(events, withFeed);
  expect(down.sizes).toEqual([3]);
  expect(outcomes(down.settled)).toEqual(Array(3).fill('rejected: Error: feed down'));
  expect(await processed(events.map((e) => e.id))).toHaveLength(3);
  feedDown = false;
  const rerun = await inOneBatch(events, withFeed);
  expect(outcomes(rerun.settled)).toEqual(Array(3).fill('duplicate'));
  expect(named).toEqual(expect.arrayContaining(ids));
});

test('an after-commit effect that fails fails only its own job; the re-run, a duplicate, runs it again', async () => {
  const flushed: string[] = [];
  let refuse = true;
  const withEffects: StripeEventDeps = {
    ...deps,
    effects: {
      usage_flush: async ({ invoice }) => {
        if (invoice === 'in_BatchFlush0' && refuse) throw new Error('flush refused');
        flushed.push(invoice);
      },
    },
  };
  const created = [0, 1].map((n) =>
    build.event(
      'invoice.created',
      build.invoice({ id: `in_BatchFlush${n}`, customer: `cus_BatchFlush${n}`, subscription: `sub_BatchFlush${n}` }),
    ),
  );
  const first = await inOneBatch(created, withEffects);
  expect(first.sizes).toEqual([2]);
  expect(outcomes(first.settled)).toEqual(['rejected: Error: flush refused', 'applied']);
  expect(await processed(created.map((e) => e.id))).toHaveLength(2);
  refuse = false;
  expect(await new EventBatcher(withEffects, { maxBatch: 1, maxInFlight: 1 }).apply(copy(created[0]))).toBe(
    'duplicate',
  );
  expect(flushed.sort()).toEqual(['in_BatchFlush0', 'in_BatchFlush1']);
});
