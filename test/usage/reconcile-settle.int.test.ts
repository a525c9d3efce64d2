/**
 * Summaries lag (the stand-in counts an event 1.5 s after it arrives; settle time 2 s): an hour is
 * compared only once its last event is older than USAGE_RECONCILE_SETTLE_SECONDS, so a unit still on
 * its way is never reported missing nor re-sent — compared too early, the lag would look like a loss.
 * A fix is a new event on its way: a second --fix right after sends nothing.
 */
import { billingMeter } from '../../stand-in/account-objects';
import { sleep } from '../../src/lib/wait';
import { reconcile } from '../../src/usage/reconcile';
import { createReconciler, runReconciliation, type Reconciler } from '../../src/usage/reconcile-run';
import { startTestService, TestService } from '../support/service';
import { stripeFor } from '../support/stand-in';
import { nowSeconds, standInTotals } from '../support/usage';

const HOUR = 3600;
let t: TestService;
let reconciler: Reconciler;
const range = () => ({ from: nowSeconds() - 10 * HOUR, to: nowSeconds() });
const at = () => nowSeconds() - (nowSeconds() % HOUR) - 3 * HOUR;

beforeAll(async () => {
  t = await startTestService({ USAGE_RECONCILE_SETTLE_SECONDS: '2' });
  t.standIn.put(billingMeter({ event_name: 'api_calls' }));
  t.standIn.setMeterBehaviour({ summaryLagMs: 1500 });
  reconciler = createReconciler({ config: t.config, dataSource: t.service.dataSource, stripe: stripeFor(t.standIn) });
});
afterAll(() => t.stop());

async function countAndDrain(customer: string, value: number): Promise<void> {
  expect((await t.v1('POST', '/usage', { customer, meter: 'api_calls', value, timestamp: at() })).status).toBe(202);
  await t.service.usage!.drainNow();
}

const eventsOf = (customer: string) => t.standIn.meterEvents.filter((e) => e.payload.stripe_customer_id === customer);

test('a lagging hour is not compared, hence not re-sent, before it settles', async () => {
  await countAndDrain('cus_lag', 6);
  const early = await runReconciliation(reconciler, { ...range(), fix: true });
  expect(early.before).toMatchObject({ unsettled: 1, hours: { missing: 0, confirmed: 0 } });
  expect(early.fixes?.written).toBe(0);
  // Compared without the settle time, Stripe's lag looks like missing usage.
  const eager = await reconcile({ ...reconciler.compare, settleSeconds: 0 }, range());
  expect(eager.hours.missing).toBe(1);

  await sleep(2100);
  const settled = await runReconciliation(reconciler, { ...range(), fix: true });
  expect(settled.before.hours).toMatchObject({ confirmed: 1, missing: 0 });
  expect(settled.fixes?.written).toBe(0);
  expect(eventsOf('cus_lag')).toHaveLength(1);
  expect(standInTotals(t.standIn)['cus_lag|api_calls']).toBe(6);
});

test('a fix on its way is not sent again by a second --fix', async () => {
  t.standIn.setMeterLoss(1);
  await countAndDrain('cus_gone', 9);
  t.standIn.setMeterLoss(0);
  await sleep(2100);
  const first = await runReconciliation(reconciler, { ...range(), fix: true });
  expect(first.fixes).toMatchObject({ written: 1, events: 1, units: '9' });
  const second = await runReconciliation(reconciler, { ...range(), fix: true });
  expect(second.fixes).toMatchObject({ written: 0, events: 0 });
  expect(second.before.unsettled).toBeGreaterThanOrEqual(1);
  await sleep(2100);
  const third = await runReconciliation(reconciler, { ...range(), fix: true });
  expect(third.fixes).toMatchObject({ written: 0, events: 0 });
  expect(standInTotals(t.standIn)['cus_gone|api_calls']).toBe(9);
}, 20_000);
