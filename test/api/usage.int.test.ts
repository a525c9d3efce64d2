/** POST /v1/usage: 202 with the count; bad input → 400 naming the field, nothing recorded; no token → 401. */
import { Redis } from 'ioredis';
import { http } from '../../stand-in/http-client';
import { startTestService, TestService } from '../support/service';
import { clearPending, nowSeconds, pendingCells, rawRedis, standInTotals } from '../support/usage';

let t: TestService;
let redis: Redis;
beforeAll(async () => {
  // The worker role runs too, as in production: its scheduled drain waits a whole interval and the
  // threshold (50,000) is far above these tests, so the pending hash changes only through requests.
  t = await startTestService({ USAGE_FLUSH_INTERVAL_MS: '3600000' });
  redis = rawRedis();
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

const pending = () => pendingCells(redis, t.prefix);
const ok = { customer: 'cus_http1', meter: 'api_calls', value: 3 };

test('one event and a batch are accepted and counted', async () => {
  expect(await t.v1('POST', '/usage', ok)).toMatchObject({ status: 202, json: { accepted: 1 } });
  const events = Array.from({ length: 1000 }, (_, i) => ({ ...ok, customer: `cus_http${i % 5}`, value: 1 }));
  expect(await t.v1('POST', '/usage', { events })).toMatchObject({ status: 202, json: { accepted: 1000 } });
  const cells = await pending();
  const sum = Object.values(cells).reduce((a, v) => a + Number(v), 0);
  expect(sum).toBe(1003);
  expect(Object.keys(cells).every((f) => /^cus_http\d\|api_calls\|\d+$/.test(f))).toBe(true);
  // What the user sees: a drain delivers exactly what was accepted.
  await t.service.usage!.drainNow();
  expect(standInTotals(t.standIn)).toEqual({
    'cus_http0|api_calls': 200,
    'cus_http1|api_calls': 203,
    'cus_http2|api_calls': 200,
    'cus_http3|api_calls': 200,
    'cus_http4|api_calls': 200,
  });
});

test.each([
  [{ events: [ok, ok, ok, { ...ok, value: -1 }] }, 'events[3].value: '],
  [{ events: [ok, { ...ok, customer: 'bob' }] }, 'events[1].customer: '],
  [{ ...ok, value: 2 ** 53 }, 'value: '],
  [{ ...ok, value: 1.5 }, 'value: '],
  [{ ...ok, meter: '' }, 'meter: '],
  [{ ...ok, timestamp: nowSeconds() - 36 * 86_400 }, 'timestamp: '],
  [{ ...ok, timestamp: nowSeconds() + 3600 }, 'timestamp: '],
  [{ events: Array.from({ length: 1001 }, () => ok) }, 'events: '],
])('bad input %# → 400 naming the field, nothing recorded', async (body, field) => {
  await clearPending(redis, t.prefix);
  const res = await t.v1('POST', '/usage', body);
  expect(res.status).toBe(400);
  expect((res.json as { error: string }).error).toContain(field);
  expect(await pending()).toEqual({});
});

test('malformed JSON → 400', async () => {
  const res = await http('POST', `${t.url}/v1/usage`, {
    headers: { authorization: 'Bearer test-api-key-0123456789', 'content-type': 'application/json' },
    body: '{"customer":',
  });
  expect(res.status).toBe(400);
});

test('a body over 1 MiB → 413, nothing recorded', async () => {
  await clearPending(redis, t.prefix);
  const res = await t.v1('POST', '/usage', { ...ok, padding: 'x'.repeat(1024 * 1024) });
  expect(res.status).toBe(413);
  expect(await pending()).toEqual({});
});

test('no or wrong token → 401 and nothing recorded', async () => {
  await clearPending(redis, t.prefix);
  const body = JSON.stringify(ok);
  const none = await http('POST', `${t.url}/v1/usage`, { headers: { 'content-type': 'application/json' }, body });
  const wrong = await http('POST', `${t.url}/v1/usage`, {
    headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
    body,
  });
  expect([none.status, wrong.status]).toEqual([401, 401]);
  expect(await pending()).toEqual({});
});
