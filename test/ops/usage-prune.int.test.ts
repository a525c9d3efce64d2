/**
 * The bounded usage ledger: rows older than USAGE_LEDGER_RETENTION_DAYS go in batches from every
 * ledger table, younger ones stay, and a running yearly subscription keeps its whole current period
 * (the usage route reads it by default), whatever the retention; the worker schedules the prune.
 */
import * as build from '../../stand-in/events';
import { pruneUsageLedger } from '../../src/ops/usage-prune';
import { USAGE_PRUNE_SCHEDULER_ID } from '../../src/queues/maintenance-queue';
import { waitFor } from '../../src/lib/wait';
import { settle, startTestService, TestService } from '../support/service';

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);
let t: TestService;
beforeAll(async () => {
  t = await startTestService({ PROCESSED_EVENTS_PRUNE_INTERVAL_MS: '3600000', USAGE_LEDGER_RETENTION_DAYS: '40' });
  // The scheduler's first prune runs at start-up: let it finish before the tests write rows.
  const maintenance = t.service.queues.find((q) => q.name === 'maintenance')!;
  await waitFor(
    async () => (await maintenance.getCompleted()).some((j) => j.name === 'prune-usage-ledger'),
    10_000,
    'the first prune',
  );
});
afterAll(() => t.stop());

const count = async (table: string): Promise<number> =>
  (await t.service.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

async function ledgerAged(daysAgo: number[]): Promise<void> {
  for (const [i, days] of daysAgo.entries()) {
    const at = now() - days * DAY;
    await t.service.dataSource.query(
      `INSERT INTO usage_reports (identifier, claim_id, stripe_customer_id, meter, value, window_start, window_end, event_timestamp, sent_at)
       VALUES ($1, 'c', 'cus_p', 'api_calls', 1, to_timestamp($2), to_timestamp($2 + 3600), to_timestamp($2), to_timestamp($2));
       INSERT INTO usage_fixes (identifier, stripe_customer_id, meter, hour_start, attempt, value, reason)
       VALUES ($3, 'cus_p', 'api_calls', to_timestamp($2), 1, 1, 'missing');
       INSERT INTO usage_rejections (identifier, code, stripe_event_id, rejected_at) VALUES ($1, 'x', 'evt_1', to_timestamp($2));
       INSERT INTO usage_reconciliations VALUES ('cus_p', 'api_calls', to_timestamp($2), 'missing', 1, 0, now())`.replace(
        /\$1|\$2|\$3/g,
        (m) => (m === '$1' ? `'u_prune${i}_${days}'` : m === '$2' ? String(at) : `'f_prune${i}_${days}'`),
      ),
    );
  }
}

test('rows past the retention go from every ledger table, in batches; younger rows stay', async () => {
  await ledgerAged([41, 45, 50, 60, 90, 39, 35, 1]);
  const report = await pruneUsageLedger(t.service.dataSource, { retentionDays: 40, batchSize: 2 });
  expect(report.deleted).toBe(5 * 4);
  expect(report.batches).toBeGreaterThan(4);
  for (const table of ['usage_reports', 'usage_fixes', 'usage_rejections', 'usage_reconciliations'])
    expect(await count(table)).toBe(3);
  const scheduler = await t.service.queues
    .find((q) => q.name === 'maintenance')!
    .getJobScheduler(USAGE_PRUNE_SCHEDULER_ID);
  expect(scheduler).toMatchObject({ every: 3_600_000, name: 'prune-usage-ledger' });
});

test('a running subscription keeps its current period, older than the retention', async () => {
  const start = now() - 300 * DAY;
  const sub = build.subscription({ items: [{ current_period_start: start, current_period_end: start + 365 * DAY }] });
  expect((await t.deliver(build.event('customer.subscription.created', sub))).status).toBe(200);
  await settle(t);
  await ledgerAged([200, 301]);
  await pruneUsageLedger(t.service.dataSource, { retentionDays: 40 });
  const left = (await t.service.dataSource.query(`SELECT identifier FROM usage_reports ORDER BY 1`)) as Array<{
    identifier: string;
  }>;
  expect(left.map((r) => r.identifier)).toContain('u_prune0_200');
  expect(left.map((r) => r.identifier)).not.toContain('u_prune1_301');
});
