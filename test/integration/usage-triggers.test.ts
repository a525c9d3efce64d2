/**
 * Drains that do not wait for the schedule: invoice.created for a metered subscription flushes
 * that customer's usage at once; pending usage over USAGE_FLUSH_THRESHOLD drains early.
 */
import { Redis } from 'ioredis';
import { USAGE_DRAIN_SCHEDULER_ID } from '../../src/queues/usage-drain-queue';
import { UsageClient } from '../../src/usage/client';
import { usageKeys } from '../../src/usage/keys';
import { waitFor } from '../support/http';
import { settle, startTestService, TestService } from '../support/service';
import { customer, event, invoice, price, subscription } from '../support/stripe-events';
import { rawRedis, standInTotals } from '../support/usage';

let t: TestService;
let redis: Redis;
let client: UsageClient;
let startedAt: number;
beforeAll(async () => {
  startedAt = Date.now();
  t = await startTestService({ USAGE_FLUSH_INTERVAL_MS: '3600000', USAGE_FLUSH_THRESHOLD: '1000', USAGE_THRESHOLD_CHECK_MS: '200' });
  redis = rawRedis();
  client = new UsageClient({ redis, keyPrefix: t.prefix });
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});
beforeEach(() => t.standIn.reset());
afterEach(async () => {
  await redis.del(usageKeys(t.prefix).pending);
});

async function applied(evt: { id: string }): Promise<void> {
  expect((await t.deliver(evt)).status).toBe(200);
  await waitFor(async () => (await t.service.dataSource.query('SELECT 1 FROM processed_events WHERE stripe_event_id = $1', [evt.id])).length > 0, 10_000, evt.id);
}

async function drainQueueIdle(): Promise<void> {
  const queue = t.service.usage!.queue;
  await waitFor(async () => {
    const c = await queue.getJobCounts('waiting', 'active', 'prioritized');
    return Object.values(c).every((n) => n === 0);
  }, 10_000, 'the usage-drain queue to be idle');
}

async function subscribed(metered: boolean): Promise<{ customerId: string; subscriptionId: string }> {
  const c = customer();
  const p = metered ? price({ meter: 'mtr_test_api', recurring: { usage_type: 'metered' } }) : price();
  const s = subscription({ customer: c.id, items: [{ price: p }] });
  for (const e of [event('customer.created', c), event('price.created', p), event('customer.subscription.created', s)]) await applied(e);
  return { customerId: c.id, subscriptionId: s.id };
}

test('invoice.created for a metered subscription flushes that customer before the next scheduled drain', async () => {
  const { customerId, subscriptionId } = await subscribed(true);
  await client.record([
    { customer: customerId, meter: 'api_calls', value: 42 },
    { customer: 'cus_bystander1', meter: 'api_calls', value: 5 },
  ]);
  await applied(event('invoice.created', invoice({ customer: customerId, subscription: subscriptionId, status: 'draft' })));
  await waitFor(() => standInTotals(t.standIn)[`${customerId}|api_calls`] === 42, 10_000, 'flushed usage');
  // Only that customer was claimed: the bystander's usage still waits for a regular drain.
  expect(standInTotals(t.standIn)).toEqual({ [`${customerId}|api_calls`]: 42 });
  expect(Object.keys(await redis.hgetall(usageKeys(t.prefix).pending))).toEqual([expect.stringMatching(/^cus_bystander1\|/)]);
});

test('invoice.created for a subscription without metered prices asks for no flush', async () => {
  const { customerId, subscriptionId } = await subscribed(false);
  await client.record({ customer: customerId, meter: 'api_calls', value: 1 });
  await applied(event('invoice.created', invoice({ customer: customerId, subscription: subscriptionId, status: 'draft' })));
  // The flush would be requested after the event's commit, inside its job: once that job is done and
  // the drain queue is idle, a flush asked for by mistake would have reached the stand-in.
  await settle(t);
  await drainQueueIdle();
  expect(t.standIn.meterEvents).toHaveLength(0);
  expect(Object.keys(await redis.hgetall(usageKeys(t.prefix).pending))).toEqual([expect.stringMatching(new RegExp(`^${customerId}\\|`))]);
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
