/**
 * Flow B end to end against real Redis, PostgreSQL and the Stripe stand-in: counting through the
 * client, raw HINCRBY and HTTP; draining in-process; exact totals, batching and period boundaries.
 */
import { Redis } from 'ioredis';
import { UsageClient } from '../../src/usage/client';
import { windowStart } from '../../src/usage/window';
import { startTestService, TestService } from '../support/service';
import { add, nowSeconds, rawIncrement, rawRedis, standInTotals, streamRequests } from '../support/usage';

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

const drain = () => t.service.usage!.drainNow();
const ids = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `cus_${tag}${i}`);

// Nothing drains on its own here (the scheduled drain is an hour away, the threshold far above these
// tests), so every drain is one a test asked for. Sending leftovers of a failed test first keeps that
// failure from spilling into the next test.
beforeEach(async () => {
  await drain();
  t.standIn.reset();
});

/**
 * Runs `tasks` with at most `limit` in flight, and waits for every one even when one fails, so no
 * late write lands in a later test. Exact totals are the point, not a storm of new connections (the
 * test HTTP client opens one per request, and a listen backlog overflows under load: ECONNRESET).
 */
async function pooled(tasks: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: limit }, async () => {
    while (next < tasks.length) await tasks[next++]();
  });
  const failed = (await Promise.allSettled(lanes)).find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

test('many concurrent increments for many customers and meters arrive exactly', async () => {
  const customers = ids(40, 'many');
  const meters = ['api_calls', 'storage_gb', 'seats.active'];
  const at = windowStart(nowSeconds(), 3600) - 1800; // one fixed window: the pair count is known
  const expected: Record<string, number> = {};
  const writes: Array<() => Promise<unknown>> = [];
  // HTTP increments go 10 to a request: 100 requests rather than 1,000 keep the test's CPU cost low
  // on a loaded machine (each request is a new connection, client and server in this process).
  let viaHttp: Array<{ customer: string; meter: string; value: number; timestamp: number }> = [];
  for (let i = 0; i < 3000; i++) {
    const customer = customers[i % customers.length];
    const meter = meters[(i * 7) % meters.length];
    const value = (i % 13) + 1;
    add(expected, customer, meter, value);
    if (i % 3 === 0) writes.push(() => rawIncrement(redis, t.prefix, customer, meter, value, at));
    else if (i % 3 === 1) writes.push(() => client.record({ customer, meter, value, timestamp: at }));
    else viaHttp.push({ customer, meter, value, timestamp: at });
    if (viaHttp.length === 10) {
      const events = viaHttp;
      writes.push(() =>
        t
          .v1('POST', '/usage', { events })
          .then((r) => expect(r).toMatchObject({ status: 202, json: { accepted: 10 } })),
      );
      viaHttp = [];
    }
  }
  expect(viaHttp).toHaveLength(0);
  await pooled(writes, 20);
  const result = await drain();
  expect(standInTotals(t.standIn)).toEqual(expected);
  expect(result.events).toBe(Object.keys(expected).length);
  expect(
    await t.service.dataSource.query(
      'SELECT count(*)::int AS n, sum(value)::bigint AS v FROM usage_reports WHERE stripe_customer_id LIKE $1',
      ['cus_many%'],
    ),
  ).toEqual([{ n: Object.keys(expected).length, v: String(Object.values(expected).reduce((a, b) => a + b, 0)) }]);
}, 60_000);

test('increments racing drains are neither lost nor counted twice', async () => {
  const customers = ids(10, 'race');
  const expected: Record<string, number> = {};
  let writing = true;
  let draining = false;
  let racingWrites = 0; // increments issued while a drain was in flight
  const writer = async (w: number) => {
    for (let i = 0; writing; i++) {
      const customer = customers[(i + w) % customers.length];
      add(expected, customer, 'api_calls', 1);
      if (draining) racingWrites++;
      await client.record({ customer, meter: 'api_calls', value: 1 });
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  // Writers keep going until 5 drains each sent usage while increments were being issued, however
  // slow the machine is: a count of drains, not a time budget.
  let racedDrains = 0;
  let drains = 0;
  try {
    while (racedDrains < 5) {
      if (++drains > 500) throw new Error(`only ${racedDrains} of ${drains} drains raced increments`);
      const before = racingWrites;
      draining = true;
      const result = await drain().finally(() => (draining = false));
      if (result.events > 0 && racingWrites > before) racedDrains++;
    }
  } finally {
    writing = false;
    await Promise.all(writers);
  }
  await drain();
  expect(racedDrains).toBe(5);
  expect(standInTotals(t.standIn)).toEqual(expected);
  expect(t.standIn.droppedDuplicateMeterEvents).toBe(0);
});

test('requests per drain = ⌈pairs / 100⌉ and no batch holds more than 100 events', async () => {
  const at = windowStart(nowSeconds(), 3600) - 60;
  const events = ids(250, 'batch').map((customer) => ({ customer, meter: 'api_calls', value: 2, timestamp: at }));
  await client.record(events);
  const before = streamRequests(t.standIn);
  const result = await drain();
  expect(result.events).toBe(250);
  expect(streamRequests(t.standIn) - before).toBe(Math.ceil(250 / 100));
  const sizes = t.standIn.requests
    .filter((r) => r.path === '/v2/billing/meter_event_stream')
    .map((r) => (r.body.events as unknown[]).length);
  expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
  // Nothing pending, nothing claimed: a second drain sends nothing.
  expect((await drain()).requests).toBe(0);
});

test('usage on both sides of a period boundary is timestamped on its own side', async () => {
  const boundary = windowStart(nowSeconds(), 3600); // periods that turn over on the hour
  const customer = 'cus_boundary1';
  await client.record([
    { customer, meter: 'api_calls', value: 5, timestamp: boundary - 1 },
    { customer, meter: 'api_calls', value: 7, timestamp: boundary - 3599 },
    { customer, meter: 'api_calls', value: 11, timestamp: boundary },
  ]);
  await drain();
  const events = t.standIn.meterEvents.filter((e) => e.payload.stripe_customer_id === customer);
  const before = events.filter((e) => e.timestamp < boundary);
  const after = events.filter((e) => e.timestamp >= boundary);
  expect(before.map((e) => Number(e.payload.value))).toEqual([12]);
  expect(after.map((e) => Number(e.payload.value))).toEqual([11]);
  expect(before[0].timestamp).toBeGreaterThanOrEqual(boundary - 3600);
});

test('an expired meter session is renewed and the batch resent', async () => {
  await client.record({ customer: 'cus_session1', meter: 'api_calls', value: 3 });
  await drain();
  t.standIn.expireMeterSessions();
  await client.record({ customer: 'cus_session1', meter: 'api_calls', value: 4 });
  await drain();
  expect(standInTotals(t.standIn)).toEqual({ 'cus_session1|api_calls': 7 });
});
