/**
 * A drain process SIGKILLed between two batches (Stripe accepted batch 1, the ledger does not know
 * yet) and a fresh process started again. Batches span shards, so the kill falls between shards:
 * some shards' claims are released, some open, the later shards not claimed yet. The open claims
 * are resumed with identical identifiers, so the stand-in ends with exactly what was counted.
 */
import { Redis } from 'ioredis';
import { UsageClient } from '../../src/usage/client';
import { windowStart } from '../../src/usage/window';
import { startTestService, TestService } from '../support/service';
import {
  add,
  nowSeconds,
  openClaims,
  pendingCells,
  rawRedis,
  runDrainChild,
  standInTotals,
  streamRequests,
  type DrainChildMessage as ChildMessage,
} from '../support/usage';

let t: TestService;
let redis: Redis;
beforeAll(async () => {
  // api role only: no in-process worker may touch the claim; the child processes do the draining.
  t = await startTestService({ ROLE: 'api' });
  redis = rawRedis();
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

test('SIGKILL between batches, then a new drain process → totals exact', async () => {
  const client = new UsageClient({ redis, keyPrefix: t.prefix });
  const at = windowStart(nowSeconds(), 3600) - 600;
  const expected: Record<string, number> = {};
  const events = Array.from({ length: 350 }, (_, i) => ({
    customer: `cus_crash${i}`,
    meter: 'api_calls',
    value: i + 1,
    timestamp: at,
  }));
  for (const e of events) add(expected, e.customer, e.meter, e.value);
  await client.record(events);

  let crashPoint: ChildMessage['crashPoint'];
  const first = await runDrainChild(t, { CRASH_AFTER_BATCH: '1' }, (m, kill) => {
    crashPoint = m.crashPoint;
    if (crashPoint) kill();
  });
  expect(first.signal).toBe('SIGKILL');
  expect(crashPoint?.index).toBe(1);
  // Two batches reached Stripe, their claims are still open, the ledger holds only the first batch.
  expect(t.standIn.meterEvents).toHaveLength(200);
  const open = await openClaims(redis, t.prefix);
  expect(open).toContain(crashPoint!.claimId);
  expect(await queryLedgerCount()).toBe(100);
  // Between shards: the customers of some shards are still pending, never claimed.
  const unclaimed = Object.keys(await pendingCells(redis, t.prefix)).length;
  expect(unclaimed).toBeGreaterThan(0);
  expect(unclaimed).toBeLessThan(250);

  // The usage route, with the drain dead half way: every unit in sent or pending, some of each.
  const half = await usageOf(events.map((e) => e.customer));
  expect(half.every((u, i) => u.sent + u.pending === events[i].value)).toBe(true);
  expect(half.filter((u) => u.sent > 0).length).toBe(100);

  let result: ChildMessage['result'];
  const requestsBefore = streamRequests(t.standIn);
  const [{ v: ledgerValue }] = await t.service.dataSource.query(
    'SELECT coalesce(sum(value), 0)::int AS v FROM usage_reports',
  );
  const totalValue = events.reduce((sum, e) => sum + e.value, 0);
  // Events of still-open claims that batch 0 already recorded: the resumed drain skips them.
  const [{ n: recordedOfOpen }] = await t.service.dataSource.query(
    'SELECT count(*)::int AS n FROM usage_reports WHERE claim_id = ANY($1)',
    [open],
  );
  const second = await runDrainChild(t, {}, (m) => (result ??= m.result));
  expect(second.code).toBe(0);
  expect(result).toMatchObject({ events: 250, value: totalValue - ledgerValue, requests: 3, skipped: recordedOfOpen });
  expect(result!.claims).toBeGreaterThanOrEqual(open.length);
  expect(streamRequests(t.standIn) - requestsBefore).toBe(3);
  expect(t.standIn.droppedDuplicateMeterEvents).toBe(100); // batch 1 again, same identifiers
  expect(standInTotals(t.standIn)).toEqual(expected);
  expect((await openClaims(redis, t.prefix)).length).toBe(0);
  expect(await queryLedgerCount()).toBe(350);
  expect(
    (await usageOf(events.map((e) => e.customer))).every((u, i) => u.sent === events[i].value && u.pending === 0),
  ).toBe(true);
}, 60_000);

/** `GET /v1/customers/:id/usage` → api_calls of each customer. */
async function usageOf(customers: string[]): Promise<Array<{ sent: number; pending: number }>> {
  const answers = await Promise.all(customers.map((c) => t.v1('GET', `/customers/${c}/usage`)));
  return answers.map((a) => (a.json as { meters: Record<string, { sent: number; pending: number }> }).meters.api_calls);
}

async function queryLedgerCount(): Promise<number> {
  const [row]: Array<{ n: number }> = await t.service.dataSource.query('SELECT count(*)::int AS n FROM usage_reports');
  return row.n;
}
