/**
 * Usage event ids against real Redis, PostgreSQL and the Stripe stand-in: a retried request is
 * billed once (sequential and concurrent retries, through HTTP, the client and the documented
 * script call), a repeated id with another value adds nothing, ids expire after
 * USAGE_DEDUPE_SECONDS, and counters written in the layout before shards are still drained.
 */
import { Redis } from 'ioredis';
import { RECORD_SCRIPT } from '../../src/usage/scripts';
import { UsageClient } from '../../src/usage/client';
import { customerKeys, usageKeys, LEGACY } from '../../src/usage/keys';
import { shardOf } from '../../src/usage/shard';
import { windowStart } from '../../src/usage/window';
import { startTestService, TestService } from '../support/service';
import { add, clearPending, nowSeconds, openClaims, pendingCells, rawRedis, standInTotals } from '../support/usage';

let t: TestService;
let redis: Redis;
beforeAll(async () => {
  t = await startTestService({ USAGE_DEDUPE_SECONDS: '2', STRIPE_METER_RATE_LIMIT_PER_SECOND: '1000' });
  redis = rawRedis();
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});
beforeEach(async () => {
  await t.service.usage!.drainNow();
  await clearPending(redis, t.prefix);
  t.standIn.reset();
});

const at = () => windowStart(nowSeconds(), 3600) - 60;
const post = (body: unknown) =>
  t.v1('POST', '/usage', body) as Promise<{ status: number; json: { accepted: number; duplicates: number } }>;
const sum = (cells: Record<string, string>) => Object.values(cells).reduce((a, v) => a + Number(v), 0);

test.each([1, 2, 3])(
  'one request sent %i times, one after another: every id billed once, duplicates add up',
  async (sends) => {
    const events = Array.from({ length: 30 }, (_, i) => ({
      customer: `cus_seq${sends}x${i % 7}`,
      meter: 'api_calls',
      value: i + 1,
      id: `seq${sends}-${i}`,
      timestamp: at(),
    }));
    const answers = [];
    for (let k = 0; k < sends; k++) answers.push(await post({ events }));
    expect(answers.map((a) => a.status)).toEqual(Array(sends).fill(202));
    expect(answers.map((a) => a.json.duplicates)).toEqual([0, ...Array(sends - 1).fill(30)]);
    const expected: Record<string, number> = {};
    for (const e of events) add(expected, e.customer, e.meter, e.value);
    await t.service.usage!.drainNow();
    expect(standInTotals(t.standIn)).toEqual(expected);
  },
);

test('the same request sent 3 times at once: counted once, the answers’ duplicates add up to 2 × events', async () => {
  const events = Array.from({ length: 50 }, (_, i) => ({
    customer: `cus_conc${i % 11}`,
    meter: 'api_calls',
    value: 2,
    id: `conc-${i}`,
    timestamp: at(),
  }));
  const answers = await Promise.all([post({ events }), post({ events }), post({ events })]);
  expect(answers.every((a) => a.status === 202 && a.json.accepted === 50)).toBe(true);
  expect(answers.reduce((n, a) => n + a.json.duplicates, 0)).toBe(100);
  expect(sum(await pendingCells(redis, t.prefix))).toBe(100);
});

test('a repeated id with another value adds nothing; the same id twice in one request counts once', async () => {
  const e = { customer: 'cus_repeat1', meter: 'api_calls', value: 5, id: 'evt-1', timestamp: at() };
  expect((await post(e)).json).toEqual({ accepted: 1, duplicates: 0 });
  expect((await post({ ...e, value: 500 })).json).toEqual({ accepted: 1, duplicates: 1 });
  expect(
    (
      await post({
        events: [
          { ...e, id: 'evt-2' },
          { ...e, id: 'evt-2', value: 9 },
        ],
      })
    ).json,
  ).toEqual({ accepted: 2, duplicates: 1 });
  // The same id for another customer is another event (ids are per customer).
  expect((await post({ ...e, customer: 'cus_repeat2' })).json).toEqual({ accepted: 1, duplicates: 0 });
  expect(await pendingCells(redis, t.prefix)).toEqual({
    [`cus_repeat1|api_calls|${windowStart(e.timestamp, 3600)}`]: '10',
    [`cus_repeat2|api_calls|${windowStart(e.timestamp, 3600)}`]: '5',
  });
});

test('ids expire after USAGE_DEDUPE_SECONDS (2 s here)', async () => {
  const e = { customer: 'cus_expire1', meter: 'api_calls', value: 1, id: 'exp-1', timestamp: at() };
  expect((await post(e)).json.duplicates).toBe(0);
  expect(await redis.ttl(customerKeys(t.prefix, e.customer).eventId(e.customer, e.id))).toBeGreaterThan(0);
  expect((await post(e)).json.duplicates).toBe(1);
  await new Promise((ok) => setTimeout(ok, 2300));
  expect((await post(e)).json.duplicates).toBe(0);
  expect(sum(await pendingCells(redis, t.prefix))).toBe(2);
});

test('events without an id are counted on every send (at-least-once)', async () => {
  const e = { customer: 'cus_noid1', meter: 'api_calls', value: 4, timestamp: at() };
  await post(e);
  expect((await post(e)).json).toEqual({ accepted: 1, duplicates: 0 });
  expect(sum(await pendingCells(redis, t.prefix))).toBe(8);
});

test.each([[{ id: '' }], [{ id: 'x'.repeat(101) }], [{ id: 'no spaces' }], [{ id: 'a|b' }], [{ id: 7 }]])(
  'bad id %j → 400 naming id, nothing recorded (not even the good events)',
  async (bad) => {
    const good = { customer: 'cus_badid1', meter: 'api_calls', value: 1, id: 'fine-1' };
    const res = await t.v1('POST', '/usage', { events: [good, { ...good, ...bad }] });
    expect(res.status).toBe(400);
    expect((res.json as { error: string }).error).toMatch(/^events\[1\]\.id: /);
    expect(await pendingCells(redis, t.prefix)).toEqual({});
    expect(await redis.exists(customerKeys(t.prefix, good.customer).eventId(good.customer, good.id))).toBe(0);
  },
);

test('the client: 50 concurrent one-event calls, then retried with new ids among them: duplicates add up', async () => {
  const client = new UsageClient({ redis, keyPrefix: t.prefix, dedupeSeconds: 60 });
  const calls = Array.from({ length: 50 }, (_, i) => ({
    customer: `cus_client${i % 9}`,
    meter: 'api_calls',
    value: 1,
    id: `cl-${i}`,
  }));
  const first = await Promise.all(calls.map((c) => client.record(c)));
  expect(first.every((r) => r.accepted === 1 && r.duplicates === 0)).toBe(true);
  const again = await Promise.all(calls.map((c, i) => client.record(i % 2 ? [c, { ...c, id: `cl-new-${i}` }] : c)));
  expect(again.reduce((n, r) => n + r.duplicates, 0)).toBe(50);
  expect(sum(await pendingCells(redis, t.prefix))).toBe(75);
});

test('the client: one tick over many shards is one script call; each cell lands in its customer’s shard, each caller gets its own duplicates', async () => {
  const client = new UsageClient({ redis, keyPrefix: t.prefix, dedupeSeconds: 60 });
  const w = windowStart(at(), 3600);
  const customers = Array.from({ length: 40 }, (_, i) => `cus_tick${i}`);
  expect(new Set(customers.map(shardOf)).size).toBeGreaterThan(10);
  await client.record(
    customers.map((customer) => ({ customer, meter: 'api_calls', value: 1, timestamp: at(), id: 'seen' })),
  );
  const evalshas: string[][] = [];
  const monitor = await redis.monitor();
  // Only this file's usage calls: BullMQ and other test files send EVALSHAs to the same Redis.
  const ours = (args: string[]) =>
    args[0].toLowerCase() === 'evalsha' && args.some((a) => a.startsWith(`${t.prefix}:usage:`));
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (ours(args)) evalshas.push(args);
  });
  const answers = await Promise.all(
    customers.map((customer, i) =>
      client.record([
        { customer, meter: 'api_calls', value: 2, timestamp: at(), id: i % 2 ? 'seen' : `new-${i}` },
        { customer, meter: 'api_calls', value: 3, timestamp: at() },
      ]),
    ),
  );
  await new Promise((ok) => setTimeout(ok, 100)); // MONITOR lines trail the replies
  monitor.disconnect();
  expect(evalshas).toHaveLength(1);
  expect(answers.map((a) => a.duplicates)).toEqual(customers.map((_, i) => i % 2));
  for (const [i, customer] of customers.entries()) {
    expect(await redis.hget(customerKeys(t.prefix, customer).pending, `${customer}|api_calls|${w}`)).toBe(
      String(1 + 3 + (i % 2 ? 0 : 2)),
    );
  }
  expect(Object.keys(await pendingCells(redis, t.prefix))).toHaveLength(40);
});

test('any language: one EVAL of the documented script on the customer’s shard', async () => {
  const customer = 'cus_NffrFeUfNV2Hib'; // shard 2, as docs/usage.md says
  const keys = usageKeys(t.prefix, 2);
  const field = `${customer}|api_calls|${windowStart(at(), 3600)}`;
  const call = () => redis.eval(RECORD_SCRIPT, 2, keys.pending, keys.eventId(customer, 'req-42'), 86400, 1, field, 5);
  expect(await call()).toBe('0');
  expect(await call()).toBe('1');
  expect(await redis.hget(keys.pending, field)).toBe('5');
  // Events without an id follow, as field, value pairs: counted on every call.
  expect(await redis.eval(RECORD_SCRIPT, 1, keys.pending, 86400, 0, field, 2, field, 1)).toBe('');
  expect(await redis.hget(keys.pending, field)).toBe('8');
});

test('upgrade: counters and an open claim in the layout before shards are drained, not lost', async () => {
  const legacy = usageKeys(t.prefix, LEGACY);
  const w = windowStart(at(), 3600);
  await redis.hincrby(legacy.pending, `cus_old1|api_calls|${w}`, 7);
  await redis.hincrby(legacy.pending, `cus_old2|api_calls|${w + 17}`, 3); // any second, as the old docs allowed
  const oldClaim = `${Date.now() - 60_000}-w3600-0a1b2c3d4e5f`; // a claim id from before paging
  await redis.hset(legacy.claim(oldClaim), `cus_old1|api_calls|${w}`, '2', `cus_old1|api_calls|${w + 5}`, '1');
  await redis.zadd(legacy.claims, Date.now() - 60_000, oldClaim);
  await t.service.usage!.drainNow();
  expect(standInTotals(t.standIn)).toEqual({ 'cus_old1|api_calls': 10, 'cus_old2|api_calls': 3 });
  expect(await openClaims(redis, t.prefix)).toEqual([]);
  expect(await redis.exists(legacy.pending, legacy.claim(oldClaim))).toBe(0);
});
