/**
 * A late resume: a drain SIGKILLed after Stripe accepted its first batch (the ledger does not know)
 * is resumed a simulated day later, when Stripe no longer drops repeated identifiers (the stand-in
 * forgets them). Re-sending the claim as it was would bill that batch twice; the resumed drain asks
 * the summaries first, records what Stripe has without sending it, and sends only the rest.
 */
import { Redis } from 'ioredis';
import { billingMeter } from '../../stand-in/account-objects';
import { UsageClient } from '../../src/usage/client';
import { windowStart } from '../../src/usage/window';
import { startTestService, TestService } from '../support/service';
import { add, nowSeconds, openClaims, rawRedis, runDrainChild, standInTotals } from '../support/usage';

let t: TestService;
let redis: Redis;
beforeAll(async () => {
  // api role only: the child processes do the draining.
  t = await startTestService({ ROLE: 'api' });
  t.standIn.put(billingMeter({ event_name: 'api_calls' }));
  redis = rawRedis();
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

const query = async (sql: string): Promise<number> => (await t.service.dataSource.query(sql))[0].n;

test('resumed a day after a crash that followed Stripe’s answer: only what Stripe lacks is sent', async () => {
  const at = windowStart(nowSeconds(), 3600) - 2 * 3600;
  const events = Array.from({ length: 250 }, (_, i) => ({
    customer: `cus_late${i}`,
    meter: 'api_calls',
    value: i + 1,
    timestamp: at,
  }));
  const expected: Record<string, number> = {};
  for (const e of events) add(expected, e.customer, e.meter, e.value);
  await new UsageClient({ redis, keyPrefix: t.prefix }).record(events);

  let crashed = false;
  const first = await runDrainChild(t, { CRASH_AFTER_BATCH: '0' }, (m, kill) => {
    if (m.crashPoint) {
      crashed = true;
      kill();
    }
  });
  expect(first.signal).toBe('SIGKILL');
  expect(crashed).toBe(true);
  expect(t.standIn.meterEvents).toHaveLength(100);
  expect(await query('SELECT count(*)::int AS n FROM usage_reports')).toBe(0);
  expect((await openClaims(redis, t.prefix)).length).toBeGreaterThan(0);

  t.standIn.forgetMeterIdentifiers(); // a day later: Stripe would count a repeated identifier again
  const summariesBefore = t.standIn.countRequests((r) => r.path.endsWith('/event_summaries'));
  const second = await runDrainChild(t, { CLOCK_OFFSET_MS: String(24 * 3600_000) }, () => undefined);
  expect(second.code).toBe(0);
  expect(standInTotals(t.standIn)).toEqual(expected);
  expect(t.standIn.droppedDuplicateMeterEvents).toBe(0);
  // One summaries call per (customer, meter) of the resumed claims.
  expect(t.standIn.countRequests((r) => r.path.endsWith('/event_summaries')) - summariesBefore).toBe(250);
  // Every event is in the ledger; the 150 Stripe lacked went out as fixes, the 100 it had did not go again.
  expect(await query('SELECT count(*)::int AS n FROM usage_reports')).toBe(250);
  expect(
    await query(`SELECT count(*)::int AS n FROM usage_fixes WHERE reason = 'resume' AND accepted_at IS NOT NULL`),
  ).toBe(150);
  expect(t.standIn.meterEvents.filter((e) => e.identifier.startsWith('u_'))).toHaveLength(100);
  expect(await openClaims(redis, t.prefix)).toEqual([]);
}, 60_000);
