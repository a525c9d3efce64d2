/**
 * The stand-in fails 20 % of meter event requests with 500 or 429. Drains run through the real
 * queue (BullMQ retries, rate limiting on 429) and the totals must still come out exact.
 */
import { Redis } from 'ioredis';
import { requestDrain } from '../../src/queues/usage-drain-queue';
import { UsageClient } from '../../src/usage/client';
import { windowStart } from '../../src/usage/window';
import { waitFor } from '../../src/lib/wait';
import { startTestService, TestService } from '../support/service';
import { add, nowSeconds, openClaims, pendingCells, rawRedis, standInTotals } from '../support/usage';

let t: TestService;
let redis: Redis;
beforeAll(async () => {
  t = await startTestService({ USAGE_FLUSH_INTERVAL_MS: '3600000', STRIPE_METER_RATE_LIMIT_PER_SECOND: '200' });
  redis = rawRedis();
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

test('20 % of requests failing with 500 and 429 → totals still exact, nothing doubled', async () => {
  const client = new UsageClient({ redis, keyPrefix: t.prefix });
  t.standIn.setFaults({ rate: 0.2, statuses: [500, 429], seed: 20, paths: /^\/v2\/billing\/meter_event/ });
  const expected: Record<string, number> = {};
  const hour = windowStart(nowSeconds(), 3600);
  for (let round = 0; round < 3; round++) {
    const events = [];
    for (let i = 0; i < 150; i++) {
      for (const at of [hour - 3600, hour]) {
        const e = { customer: `cus_fault${i}`, meter: 'api_calls', value: round + i + 1, timestamp: at };
        add(expected, e.customer, e.meter, e.value);
        events.push(e);
      }
    }
    for (let i = 0; i < events.length; i += 1000) await client.record(events.slice(i, i + 1000));
    await requestDrain(t.service.usage!.queue, { reason: 'manual' }, `manual-${round}`);
    await waitFor(
      async () =>
        Object.keys(await pendingCells(redis, t.prefix)).length === 0 &&
        (await openClaims(redis, t.prefix)).length === 0,
      25_000,
      `drain ${round}`,
    );
  }
  expect(t.standIn.faultsInjected).toBeGreaterThan(0);
  const statuses = t.standIn.requests.filter((r) => r.faulted).map((r) => r.status);
  expect(statuses).toEqual(expect.arrayContaining([429, 500]));
  expect(standInTotals(t.standIn)).toEqual(expected);
  const [ledger] = await t.service.dataSource.query('SELECT count(*)::int AS n FROM usage_reports');
  expect(ledger.n).toBe(3 * 300);
  expect(t.standIn.meterEvents).toHaveLength(3 * 300);
}, 30_000);
