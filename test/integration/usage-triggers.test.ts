/**
 * Drains that do not wait for the schedule: invoice.created for a metered subscription flushes
 * that customer's usage at once; pending usage over USAGE_FLUSH_THRESHOLD drains early.
 */
import { Redis } from 'ioredis';
import { UsageClient } from '../../src/usage/client';
import { usageKeys } from '../../src/usage/keys';
import { waitFor } from '../support/http';
import { startTestService, TestService } from '../support/service';
import { customer, event, invoice, price, subscription } from '../support/stripe-events';
import { rawRedis, standInTotals } from '../support/usage';

let t: TestService;
let redis: Redis;
let client: UsageClient;
beforeAll(async () => {
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
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(t.standIn.meterEvents).toHaveLength(0);
  expect(Object.keys(await redis.hgetall(usageKeys(t.prefix).pending))).toEqual([expect.stringMatching(new RegExp(`^${customerId}\\|`))]);
});

test('pending usage over USAGE_FLUSH_THRESHOLD drains early', async () => {
  await client.record({ customer: 'cus_threshold1', meter: 'api_calls', value: 600 });
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(t.standIn.meterEvents).toHaveLength(0);
  await client.record({ customer: 'cus_threshold2', meter: 'api_calls', value: 400 });
  await waitFor(() => t.standIn.meterEvents.length === 2, 10_000, 'early drain');
  expect(standInTotals(t.standIn)).toEqual({ 'cus_threshold1|api_calls': 600, 'cus_threshold2|api_calls': 400 });
});
