/**
 * A usage counter never overflows, and a refused event writes nothing (scripts.ts: every value and
 * every counter is checked before the first write). Before, HINCRBY failed past 2^63 in the middle
 * of a script: the dedupe ids written so far stayed, their units were lost, and the callers got a
 * 503 whose retry then counted the rest as duplicates.
 */
import { Redis } from 'ioredis';
import { UsageClient, UsageValidationError } from '../../src/usage/client';
import { customerKeys, encodeField, usageKeys } from '../../src/usage/keys';
import { RECORD_SCRIPT } from '../../src/usage/scripts';
import { windowStart } from '../../src/usage/window';
import { startTestService, TestService } from '../support/service';
import { nowSeconds, rawRedis } from '../support/usage';

const MAX = Number.MAX_SAFE_INTEGER; // 2^53 − 1, the most a request may carry per event

let t: TestService;
let redis: Redis;
let client: UsageClient;
beforeAll(async () => {
  t = await startTestService();
  redis = rawRedis();
  client = new UsageClient({ redis, keyPrefix: t.prefix });
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

const at = () => windowStart(nowSeconds(), 3600) - 60;
const cellOf = (customer: string) => ({
  key: customerKeys(t.prefix, customer).pending,
  field: encodeField({ customer, meter: 'api_calls', windowStart: windowStart(at(), 3600) }),
});
const idsSet = async (customer: string) =>
  (await redis.keys(`${customerKeys(t.prefix, customer).eventId(customer, '*')}`)).length;
const event = (customer: string, id: string, value = MAX) => ({
  customer,
  meter: 'api_calls',
  value,
  timestamp: at(),
  id,
});

test('two requests of 1,000 events near 2^53 to one counter in one tick: refused whole, nothing written', async () => {
  const customer = 'cus_overflow1';
  const requests = ['a', 'b'].map((r) => Array.from({ length: 1000 }, (_, i) => event(customer, `${r}-${i}`)));
  const answers = await Promise.allSettled(requests.map((events) => client.record(events)));
  // Each request alone would take the counter past 2^53 − 1.
  for (const answer of answers) {
    expect(answer.status).toBe('rejected');
    expect((answer as PromiseRejectedResult).reason).toBeInstanceOf(UsageValidationError);
    expect(String((answer as PromiseRejectedResult).reason.message)).toMatch(/^events\[0\]\.value: /);
  }
  const { key, field } = cellOf(customer);
  expect(await redis.hget(key, field)).toBeNull();
  expect(await idsSet(customer)).toBe(0);
});

test('two callers near 2^53 in one tick: the first is counted, the second refused with nothing written, a bystander counted', async () => {
  const [first, second] = await Promise.allSettled([
    client.record(event('cus_overflow2', 'first')),
    client.record([event('cus_overflow9', 'other', 5), event('cus_overflow2', 'second', 1)]),
    client.record(event('cus_overflow3', 'bystander', 7)),
  ]);
  expect(first).toEqual({ status: 'fulfilled', value: { accepted: 1, duplicates: 0 } });
  expect(second.status).toBe('rejected');
  expect((second as PromiseRejectedResult).reason.message).toMatch(/^events\[1\]\.value: .*2\^53/);
  expect(await redis.hget(cellOf('cus_overflow2').key, cellOf('cus_overflow2').field)).toBe(String(MAX));
  expect(await redis.hget(cellOf('cus_overflow3').key, cellOf('cus_overflow3').field)).toBe('7');
  // The refused caller's other event, in another shard, is not counted either: a request is all or nothing.
  expect(await redis.hget(cellOf('cus_overflow9').key, cellOf('cus_overflow9').field)).toBeNull();
  expect(await idsSet('cus_overflow2')).toBe(1);
  expect(await idsSet('cus_overflow9')).toBe(0);
});

test('POST /v1/usage: 400 naming the event whose counter would overflow, nothing recorded', async () => {
  const customer = 'cus_overflow4';
  expect((await t.v1('POST', '/usage', event(customer, 'one', MAX - 1))).status).toBe(202);
  const res = await t.v1('POST', '/usage', { events: [event('cus_overflow5', 'x', 1), event(customer, 'two', 2)] });
  expect(res.status).toBe(400);
  expect((res.json as { error: string }).error).toMatch(/^events\[1\]\.value: /);
  expect(await redis.hget(cellOf(customer).key, cellOf(customer).field)).toBe(String(MAX - 1));
  expect(await redis.hget(cellOf('cus_overflow5').key, cellOf('cus_overflow5').field)).toBeNull();
  // Up to the bound is fine.
  expect((await t.v1('POST', '/usage', event(customer, 'three', 1))).status).toBe(202);
});

test('the documented script refuses before any write: a counter past 2^53 − 1, or a value that is not whole units', async () => {
  const customer = 'cus_NffrFeUfNV2Hib'; // shard 2
  const keys = usageKeys(t.prefix, 2);
  const { field } = cellOf(customer);
  const call = (id: string, value: string | number) =>
    redis.eval(RECORD_SCRIPT, 2, keys.pending, keys.eventId(customer, id), 86400, 1, field, value, field, 1);
  expect(await call('s1', MAX - 1)).toBe('0');
  await expect(call('s2', 1)).rejects.toThrow(/^USAGE_OVERFLOW /);
  await expect(call('s3', '99999999999999999999')).rejects.toThrow(/^USAGE_VALUE /);
  await expect(call('s4', '-1')).rejects.toThrow(/^USAGE_VALUE /);
  await expect(call('s5', '1.5')).rejects.toThrow(/^USAGE_VALUE /);
  expect(await redis.hget(keys.pending, field)).toBe(String(MAX));
  expect(await redis.exists(keys.eventId(customer, 's2'), keys.eventId(customer, 's3'))).toBe(0);
});
