/**
 * The window a subscription was created in (flow B, window.ts usageTime), against real Redis,
 * PostgreSQL and the Stripe stand-in: a subscription created 33 minutes into an hour, usage counted
 * in that hour, drained — the meter event Stripe receives is stamped at the subscription's start
 * (inside its first period, so Stripe bills it), the ledger says so, the usage route shows it in the
 * current period before and after the drain, and a fix for that hour is stamped there too.
 */
import { Redis } from 'ioredis';
import * as build from '../../stand-in/events';
import { UsageClient } from '../../src/usage/client';
import { writeFixes } from '../../src/usage/reconcile-fix';
import { windowStart } from '../../src/usage/window';
import { settle, startTestService, TestService } from '../support/service';
import { nowSeconds, rawRedis } from '../support/usage';

let t: TestService;
let redis: Redis;
let client: UsageClient;
beforeAll(async () => {
  t = await startTestService({ USAGE_FLUSH_INTERVAL_MS: '3600000', STRIPE_METER_RATE_LIMIT_PER_SECOND: '1000' });
  redis = rawRedis();
  client = new UsageClient({ redis, keyPrefix: t.prefix });
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

const hour = windowStart(nowSeconds(), 3600) - 3600; // the last whole hour: every second of it is past
const start = hour + 1980; // the subscription is created at 33 minutes past
const DAY = 86_400;

type Meters = Record<string, { sent: number; pending: number; rejected: number; confirmed: number }>;
const usage = async (customer: string) => {
  const res = await t.v1('GET', `/customers/${customer}/usage`);
  expect(res.status).toBe(200);
  return res.json as { from: number; to: number; meters: Meters };
};
const eventsOf = (customer: string) => t.standIn.meterEvents.filter((e) => e.payload.stripe_customer_id === customer);

test('usage of the hour a subscription was created in is stamped at its start, and shown in its period', async () => {
  const sub = build.subscription({
    customer: 'cus_first1',
    start_date: start,
    items: [{ current_period_start: start, current_period_end: start + 30 * DAY }],
  });
  expect((await t.deliver(build.event('customer.subscription.created', sub))).status).toBe(200);
  await settle(t);
  await client.record([
    { customer: 'cus_first1', meter: 'api_calls', value: 4, timestamp: start + 60 },
    { customer: 'cus_first1', meter: 'api_calls', value: 1, timestamp: hour + 10 }, // same window: billed with it
    { customer: 'cus_nosub1', meter: 'api_calls', value: 9, timestamp: start + 60 }, // no subscription start
  ]);
  const pending = await usage('cus_first1');
  expect(pending.from).toBe(start);
  expect(pending.meters).toEqual({ api_calls: { sent: 0, pending: 5, rejected: 0, confirmed: 0 } });

  await t.service.usage!.drainNow();
  const [event] = eventsOf('cus_first1');
  expect(eventsOf('cus_first1')).toHaveLength(1);
  expect(event.payload.value).toBe('5');
  expect(event.timestamp).toBeGreaterThanOrEqual(start);
  expect(event.timestamp).toBeLessThan(hour + 3600); // the same hour: reconciliation's cells do not move
  expect(eventsOf('cus_nosub1').map((e) => e.timestamp)).toEqual([hour]);
  const ledger = await t.service.dataSource.query(
    `SELECT extract(epoch FROM event_timestamp)::bigint::int AS ts, extract(epoch FROM window_start)::bigint::int AS ws
     FROM usage_reports WHERE stripe_customer_id = 'cus_first1'`,
  );
  expect(ledger).toEqual([{ ts: event.timestamp, ws: hour }]);
  expect((await usage('cus_first1')).meters).toEqual({ api_calls: { sent: 5, pending: 0, rejected: 0, confirmed: 0 } });
});

test('a fix for that hour is stamped at the subscription start too', async () => {
  await writeFixes(t.service.dataSource, t.prefix, [
    { customer: 'cus_first1', meter: 'api_calls', hour, attempts: 0, value: 2n, reason: 'missing' },
  ]);
  t.standIn.reset();
  await t.service.usage!.drainNow(); // a drain sends unsent fixes first
  expect(eventsOf('cus_first1').map((e) => [e.identifier.slice(0, 2), e.timestamp, e.payload.value])).toEqual([
    ['f_', start, '2'],
  ]);
});
