/**
 * `--fix` SIGKILLed half-way (Stripe accepted its first batch of 100, the ledger does not know yet),
 * then `npm run usage:reconcile -- --fix` run again: the fix rows were written before sending, so the
 * second run sends exactly those still unmarked, with the same identifiers (Stripe drops the 100 it
 * has), and Stripe ends with exactly the ledger's totals; a third run sends nothing.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { billingMeter } from '../../stand-in/account-objects';
import { runCli } from '../support/cli';
import { startTestService, TestService } from '../support/service';
import { nowSeconds, reconcileEnv, standInTotals } from '../support/usage';

let t: TestService;
beforeAll(async () => {
  t = await startTestService({ USAGE_RECONCILE_SETTLE_SECONDS: '0' });
  t.standIn.put(billingMeter({ event_name: 'api_calls' }));
});
afterAll(() => t.stop());

const env = () => reconcileEnv(t);

function killedFix(): Promise<number | undefined> {
  const child = fork(join(__dirname, '../support/usage-fix-child.ts'), [], {
    execArgv: ['-r', join(__dirname, '../support/ts-register.js')],
    env: { ...env(), CRASH_AFTER_FIX_BATCH: '0' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let crashed: number | undefined;
  child.on('message', (m: { crashed?: number }) => {
    crashed = m.crashed;
    if (crashed !== undefined) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.on('exit', () => resolve(crashed)));
}

const fixRows = async () =>
  (
    await t.service.dataSource.query('SELECT count(*)::int AS n, count(accepted_at)::int AS accepted FROM usage_fixes')
  )[0] as { n: number; accepted: number };

const ledgerTotals = async (): Promise<Record<string, number>> =>
  Object.fromEntries(
    (
      (await t.service.dataSource.query(
        `SELECT stripe_customer_id || '|' || meter AS k, sum(value)::int AS v FROM usage_reports GROUP BY 1`,
      )) as Array<{ k: string; v: number }>
    ).map((r) => [r.k, r.v]),
  );

test('a fix killed after Stripe accepted a batch, run again, sends exactly the difference', async () => {
  const at = nowSeconds() - (nowSeconds() % 3600) - 2 * 3600;
  const events = Array.from({ length: 150 }, (_, i) => ({
    customer: `cus_fx${i}`,
    meter: 'api_calls',
    value: i + 1,
    timestamp: at,
  }));
  expect((await t.v1('POST', '/usage', { events })).status).toBe(202);
  t.standIn.setMeterLoss(1);
  await t.service.usage!.drainNow();
  t.standIn.setMeterLoss(0);
  expect(standInTotals(t.standIn)).toEqual({});

  expect(await killedFix()).toBe(0);
  expect(await fixRows()).toEqual({ n: 150, accepted: 0 });
  const fixEvents = () => t.standIn.meterEvents.filter((e) => e.identifier.startsWith('f_'));
  expect(fixEvents()).toHaveLength(100);
  const dropped = t.standIn.droppedDuplicateMeterEvents;

  const again = await runCli('usage-reconcile', env(), ['--fix']);
  expect(again.code).toBe(0);
  expect(again.lines.filter((l) => l.startsWith('fix '))).toEqual([]);
  expect(again.output).toMatch(/150 left unsent by an earlier run sent first/);
  expect(t.standIn.droppedDuplicateMeterEvents - dropped).toBe(100);
  expect(fixEvents()).toHaveLength(150);
  expect(await fixRows()).toEqual({ n: 150, accepted: 150 });
  expect(standInTotals(t.standIn)).toEqual(await ledgerTotals());

  const third = await runCli('usage-reconcile', env(), ['--fix']);
  expect(third.code).toBe(0);
  expect(fixEvents()).toHaveLength(150);
}, 60_000);
