/**
 * Drains that do not wait for the schedule: invoice.created for a metered subscription flushes
 * that customer's usage within USAGE_INVOICE_FLUSH_DELAY_MS (gathered with other customers' into
 * one claim); pending usage over USAGE_FLUSH_THRESHOLD drains early.
 */
import { Redis } from 'ioredis';
import { USAGE_DRAIN_SCHEDULER_ID } from '../../src/queues/usage-drain-queue';
import { UsageClient } from '../../src/usage/client';
import { waitFor } from '../../src/lib/wait';
import { settle, startTestService, TestService } from '../support/service';
import { customer, event, invoice, price, subscription } from '../../stand-in/events';
import { clearPending, flushMembers, pendingCells, rawRedis, standInTotals } from '../support/usage';

let t: TestService;
let redis: Redis;
let client: UsageClient;
let startedAt: number;
beforeAll(async () => {
  startedAt = Date.now();
  t = await startTestService({
    USAGE_FLUSH_INTERVAL_MS: '3600000',
    USAGE_FLUSH_THRESHOLD: '1000',
    USAGE_THRESHOLD_CHECK_MS: '200',
    USAGE_INVOICE_FLUSH_DELAY_MS: '300',
  });
  redis = rawRedis();
  client = new UsageClient({ redis, keyPrefix: t.prefix });
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});
beforeEach(() => t.standIn.reset());
afterEach(async () => {
  await clearPending(redis, t.prefix);
});

async function applied(evt: { id: string }): Promise<void> {
  expect((await t.deliver(evt)).status).toBe(200);
  await waitFor(
    async () =>
      (await t.service.dataSource.query('SELECT 1 FROM processed_events WHERE stripe_event_id = $1', [evt.id])).length >
      0,
    10_000,
    evt.id,
  );
}

async function drainQueueIdle(): Promise<void> {
  const queue = t.service.usage!.queue;
  await waitFor(
    async () => {
      const c = await queue.getJobCounts('waiting', 'active', 'prioritized');
      // The scheduler's next drain is always delayed; an invoice flush must not be.
      const flushes = (await queue.getJobs(['delayed'])).filter((job) => job.name === 'invoice');
      return Object.values(c).every((n) => n === 0) && flushes.length === 0;
    },
    10_000,
    'the usage-drain queue to be idle',
  );
}

async function subscribed(metered: boolean): Promise<{ customerId: string; subscriptionId: string }> {
  const c = customer();
  const p = metered ? price({ meter: 'mtr_test_api', recurring: { usage_type: 'metered' } }) : price();
  const s = subscription({ customer: c.id, items: [{ price: p }] });
  for (const e of [event('customer.created', c), event('price.created', p), event('customer.subscription.created', s)])
    await applied(e);
  return { customerId: c.id, subscriptionId: s.id };
}

test('invoice.created for a metered subscription flushes that customer before the next scheduled drain', async () => {
  const { customerId, subscriptionId } = await subscribed(true);
  await client.record([
    { customer: customerId, meter: 'api_calls', value: 42 },
    { customer: 'cus_bystander1', meter: 'api_calls', value: 5 },
  ]);
  await applied(
    event('invoice.created', invoice({ customer: customerId, subscription: subscriptionId, status: 'draft' })),
  );
  await waitFor(() => standInTotals(t.standIn)[`${customerId}|api_calls`] === 42, 10_000, 'flushed usage');
  // Only that customer was claimed: the bystander's usage still waits for a regular drain.
  expect(standInTotals(t.standIn)).toEqual({ [`${customerId}|api_calls`]: 42 });
  expect(Object.keys(await pendingCells(redis, t.prefix))).toEqual([expect.stringMatching(/^cus_bystander1\|/)]);
  expect(await flushMembers(redis, t.prefix)).toEqual([]);
});

test('invoice.created for many customers at once is flushed in one claim, not one scan per invoice', async () => {
  const subs = [];
  for (let i = 0; i < 6; i++) subs.push(await subscribed(true));
  await client.record([
    ...subs.map((s, i) => ({ customer: s.customerId, meter: 'api_calls', value: 10 + i })),
    ...subs.map((s) => ({ customer: s.customerId, meter: 'storage_gb', value: 1 })),
    { customer: 'cus_bystander2', meter: 'api_calls', value: 5 },
  ]);
  const invoices = subs.map((s) =>
    event('invoice.created', invoice({ customer: s.customerId, subscription: s.subscriptionId, status: 'draft' })),
  );
  await Promise.all(invoices.map((e) => t.deliver(e)));
  await waitFor(() => t.standIn.meterEvents.length === 12, 10_000, 'every flushed cell');
  const expected = Object.fromEntries(
    subs.flatMap((s, i) => [
      [`${s.customerId}|api_calls`, 10 + i],
      [`${s.customerId}|storage_gb`, 1],
    ]),
  );
  expect(standInTotals(t.standIn)).toEqual(expected);
  // Six invoices in at most two flush slots: at most two claims, one meter-stream request each.
  expect(t.standIn.countRequests({ method: 'POST', pathPrefix: '/v2/billing/meter_event_stream' })).toBeLessThanOrEqual(
    2,
  );
  expect(Object.keys(await pendingCells(redis, t.prefix))).toEqual([expect.stringMatching(/^cus_bystander2\|/)]);
  expect(await flushMembers(redis, t.prefix)).toEqual([]);
});

test('invoice.created for a subscription without metered prices flushes nothing', async () => {
  const { customerId, subscriptionId } = await subscribed(false);
  await client.record({ customer: customerId, meter: 'api_calls', value: 1 });
  await applied(
    event('invoice.created', invoice({ customer: customerId, subscription: subscriptionId, status: 'draft' })),
  );
  // The request is recorded after the event's commit; the slot's flush job then finds no metered
  // price on the subscription and settles the request without claiming the customer's usage.
  await settle(t);
  await waitFor(
    async () => (await flushMembers(redis, t.prefix)).length === 0,
    10_000,
    'the flush request to be settled',
  );
  await drainQueueIdle();
  expect(t.standIn.meterEvents).toHaveLength(0);
  expect(await flushMembers(redis, t.prefix)).toEqual([]);
  expect(Object.keys(await pendingCells(redis, t.prefix))).toEqual([
    expect.stringMatching(new RegExp(`^${customerId}\\|`)),
  ]);
});

test('the scheduled drain waits a whole interval: nothing drains at start-up', async () => {
  const scheduler = await t.service.usage!.queue.getJobScheduler(USAGE_DRAIN_SCHEDULER_ID);
  expect(scheduler).toMatchObject({ every: 3_600_000 });
  expect(scheduler!.next).toBeGreaterThanOrEqual(startedAt + 3_600_000);
});

test('pending usage over USAGE_FLUSH_THRESHOLD drains early', async () => {
  await client.record({ customer: 'cus_threshold1', meter: 'api_calls', value: 600 });
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(t.standIn.meterEvents).toHaveLength(0);
  await client.record({ customer: 'cus_threshold2', meter: 'api_calls', value: 400 });
  await waitFor(() => t.standIn.meterEvents.length === 2, 10_000, 'early drain');
  expect(standInTotals(t.standIn)).toEqual({ 'cus_threshold1|api_calls': 600, 'cus_threshold2|api_calls': 400 });
});
