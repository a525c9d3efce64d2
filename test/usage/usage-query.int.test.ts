/**
 * GET /v1/customers/:id/usage against real Redis, PostgreSQL and the stand-in: the default period,
 * bad input, an unknown customer, and exactness under a drain — a drain paused at each step
 * (after the claim, after Stripe accepted before the ledger write, after the ledger write before the
 * release, after the release) and queried there, and queries racing a drain without pauses: sent +
 * pending always equals what was counted.
 */
import { Redis } from 'ioredis';
import * as build from '../../stand-in/events';
import { createLogger } from '../../src/logger';
import { createStripeClient } from '../../src/stripe';
import { UsageStore } from '../../src/usage/usage-store';
import { UsageClient } from '../../src/usage/client';
import { drainUsage } from '../../src/usage/drain';
import { createDrainDeps } from '../../src/usage/drain-deps';
import { windowStart } from '../../src/usage/window';
import { settle, startTestService, TestService } from '../support/service';
import { nowSeconds, rawRedis } from '../support/usage';

let t: TestService;
let redis: Redis;
let client: UsageClient;
beforeAll(async () => {
  t = await startTestService({ STRIPE_METER_RATE_LIMIT_PER_SECOND: '1000' });
  redis = rawRedis();
  client = new UsageClient({ redis, keyPrefix: t.prefix });
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

type Usage = { customer: string; from: number; to: number; meters: Record<string, { sent: number; pending: number }> };
const usage = async (customer: string, query = '') => {
  const res = await t.v1('GET', `/customers/${customer}/usage${query}`);
  expect(res.status).toBe(200);
  return res.json as Usage;
};

/** A drain in this process whose store and hooks call `at(step)` at each step. */
class PausingStore extends UsageStore {
  constructor(
    redisConnection: Redis,
    prefix: string,
    private readonly at: (step: string) => Promise<void>,
  ) {
    super(redisConnection, prefix);
  }
  override async claim(...args: Parameters<UsageStore['claim']>) {
    const open = await super.claim(...args);
    if (open.length) await this.at('after claim');
    return open;
  }
  override async release(...args: Parameters<UsageStore['release']>) {
    await this.at('after ledger write, before release');
    await super.release(...args);
    await this.at('after release');
  }
}
function pausingDrain(at: (step: string) => Promise<void>) {
  const config = t.config;
  const deps = createDrainDeps(
    {
      config,
      connection: redis,
      dataSource: t.service.dataSource,
      stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL }),
      log: createLogger('silent'),
    },
    { afterBatchAccepted: () => at('after Stripe accepted, before the ledger write') },
  );
  return drainUsage({ ...deps, store: new PausingStore(redis, t.prefix, at) });
}

test('bad from/to → 400 naming the field; bad customer id → 400', async () => {
  for (const [query, field] of [
    ['?from=abc&to=5', 'from'],
    ['?from=5', 'to'],
    ['?from=9&to=9', 'from'],
    ['?from=1&to=2.5', 'to'],
    // Once a 500: PostgreSQL's to_timestamp refused the year −29719 (issue 23).
    ['?from=-999999999999&to=5', 'from'],
    ['?from=-1&to=5', 'from'],
  ]) {
    const res = await t.v1('GET', `/customers/cus_q1/usage${query}`);
    expect(res.status).toBe(400);
    expect((res.json as { error: string }).error).toMatch(new RegExp(`^${field}: `));
  }
  expect((await t.v1('GET', '/customers/acct_1/usage')).status).toBe(400);
});

test('unknown customer → zeros over the last 30 days, not 404', async () => {
  const now = nowSeconds();
  const u = await usage('cus_neverseen1');
  expect(u).toMatchObject({ customer: 'cus_neverseen1', meters: {} });
  expect(u.to - u.from).toBe(30 * 86_400 + 300);
  expect(Math.abs(u.to - 300 - now)).toBeLessThanOrEqual(2);
});

test('default period: the current period of the customer’s subscription items', async () => {
  const start = windowStart(nowSeconds(), 3600) - 7200;
  const sub = build.subscription({
    customer: 'cus_period1',
    items: [{ current_period_start: start, current_period_end: start + 30 * 86_400 }],
  });
  expect((await t.deliver(build.event('customer.subscription.created', sub))).status).toBe(200);
  await settle(t);
  await client.record([
    { customer: 'cus_period1', meter: 'api_calls', value: 4, timestamp: start + 10 },
    { customer: 'cus_period1', meter: 'api_calls', value: 100, timestamp: start - 3600 }, // before the period
  ]);
  expect(await usage('cus_period1')).toEqual({
    customer: 'cus_period1',
    from: start,
    to: start + 30 * 86_400,
    meters: { api_calls: { sent: 0, pending: 4, rejected: 0, confirmed: 0 } },
  });
  expect((await usage('cus_period1', `?from=${start - 3600}&to=${start}`)).meters).toEqual({
    api_calls: { sent: 0, pending: 100, rejected: 0, confirmed: 0 },
  });
  await t.service.usage!.drainNow();
  expect((await usage('cus_period1')).meters).toEqual({
    api_calls: { sent: 4, pending: 0, rejected: 0, confirmed: 0 },
  });
});

test('a drain paused at each step: sent + pending = counted at every step, all sent at the end', async () => {
  await t.service.usage!.drainNow();
  const at = windowStart(nowSeconds(), 3600) - 60;
  // 250 customers: several batches and claims in many shards; cus_step0's numbers are followed.
  await client.record(
    Array.from({ length: 250 }, (_, i) => ({ customer: `cus_step${i}`, meter: 'api_calls', value: 3, timestamp: at })),
  );
  await client.record({ customer: 'cus_step0', meter: 'storage_gb', value: 2, timestamp: at });
  const seen: Array<{ step: string; meters: Usage['meters'] }> = [
    { step: 'before', meters: (await usage('cus_step0')).meters },
  ];
  await pausingDrain(async (step) => {
    seen.push({ step, meters: (await usage('cus_step0')).meters });
  });
  seen.push({ step: 'after', meters: (await usage('cus_step0')).meters });
  for (const s of seen)
    expect({
      step: s.step,
      totals: Object.fromEntries(Object.entries(s.meters).map(([m, v]) => [m, v.sent + v.pending])),
    }).toEqual({ step: s.step, totals: { api_calls: 3, storage_gb: 2 } });
  expect(new Set(seen.map((s) => s.step))).toEqual(
    new Set([
      'before',
      'after claim',
      'after Stripe accepted, before the ledger write',
      'after ledger write, before release',
      'after release',
      'after',
    ]),
  );
  // The followed customer moves from pending to sent exactly once, and never back.
  const sent = seen.map((s) => s.meters.api_calls.sent);
  expect(sent[0]).toBe(0);
  expect(sent.at(-1)).toBe(3);
  expect(sent.every((v, i) => i === 0 || v >= sent[i - 1])).toBe(true);
});

test('queries racing a drain without pauses never see a unit in both or neither', async () => {
  await t.service.usage!.drainNow();
  const at = windowStart(nowSeconds(), 3600) - 60;
  const customers = Array.from({ length: 20 }, (_, i) => `cus_race${i}`);
  await client.record(
    Array.from({ length: 1000 }, (_, i) => ({
      customer: customers[i % 20],
      meter: `m${i % 50}`,
      value: 1,
      timestamp: at,
    })),
  );
  let draining = true;
  const drain = pausingDrain(() => new Promise((ok) => setImmediate(ok))).finally(() => (draining = false));
  const totals: number[] = [];
  while (draining) {
    const answers = await Promise.all(customers.slice(0, 4).map((c) => usage(c)));
    for (const a of answers) totals.push(Object.values(a.meters).reduce((n, v) => n + v.sent + v.pending, 0));
  }
  await drain;
  expect(totals.length).toBeGreaterThan(4);
  expect(new Set(totals)).toEqual(new Set([50]));
  const final = Object.values((await usage('cus_race0')).meters);
  expect([final.reduce((n, v) => n + v.sent, 0), final.reduce((n, v) => n + v.pending, 0)]).toEqual([50, 0]);
});
