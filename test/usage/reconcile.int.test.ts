/**
 * `npm run usage:reconcile` against the stand-in, as an operator runs it: every outcome as its line
 * (missing, rejected, excess, expired) with the summary and exit code, the usage route answering
 * `confirmed`/`rejected` from what was stored, `--fix` sending exactly what Stripe lacks (a hour
 * still refused stays rejected), a report with more rejections than samples, and paged summaries.
 */
import { billingMeter } from '../../stand-in/account-objects';
import { waitFor } from '../../src/lib/wait';
import { runCli, type CliRun } from '../support/cli';
import { startTestService, TestService, WEBHOOK_SECRET } from '../support/service';
import { stripeFor } from '../support/stand-in';
import { nowSeconds, reconcileEnv, standInTotals } from '../support/usage';

const HOUR = 3600;
let t: TestService;
const past = (hours: number) => nowSeconds() - (nowSeconds() % HOUR) - hours * HOUR;

beforeAll(async () => {
  t = await startTestService({ USAGE_RECONCILE_SETTLE_SECONDS: '0' });
  t.standIn.put(billingMeter({ event_name: 'api_calls' }));
  t.standIn.setThinEventDestination({ url: `${t.url}/webhooks/stripe`, secret: WEBHOOK_SECRET });
});
afterAll(() => t.stop());

const reconcileCli = (...args: string[]): Promise<CliRun> => runCli('usage-reconcile', reconcileEnv(t), args);

async function count(customer: string, value: number, at: number): Promise<void> {
  expect((await t.v1('POST', '/usage', { customer, meter: 'api_calls', value, timestamp: at })).status).toBe(202);
}

const meterOf = async (customer: string) =>
  (
    (await t.v1('GET', `/customers/${customer}/usage?from=${past(40)}&to=${nowSeconds()}`)).json as {
      meters: Record<string, Record<string, number>>;
    }
  ).meters.api_calls;

const rejectedRows = async (): Promise<number> =>
  (await t.service.dataSource.query('SELECT count(*)::int AS n FROM usage_rejections'))[0].n;

test('every outcome has its line; the usage route answers confirmed and rejected; --fix sends the difference', async () => {
  const h = past(3);
  await count('cus_ok', 10, h);
  await count('cus_refused', 7, h);
  await count('cus_more', 10, h);
  t.standIn.refuseMeterCustomer('cus_refused');
  await t.service.usage!.drainNow();
  await waitFor(async () => (await rejectedRows()) === 1, 10_000, 'the error report');
  await count('cus_lost', 4, h);
  t.standIn.setMeterLoss(1);
  await t.service.usage!.drainNow();
  t.standIn.setMeterLoss(0);
  // Another sender on the account adds 5 to one hour and 3 to an hour the ledger has nothing in.
  await postMeterEvents([
    ['other-1', 'cus_more', 5, h],
    ['other-2', 'cus_more', 3, h - HOUR],
  ]);
  await count('cus_more', 1, h - 2 * HOUR); // makes h − 1 h part of the asked range
  await t.service.usage!.drainNow();
  // A ledger row from before Stripe's 35 days (a drain long gone), never counted there.
  await t.service.dataSource.query(
    `INSERT INTO usage_reports (identifier, claim_id, stripe_customer_id, meter, value, window_start, window_end, event_timestamp)
     VALUES ('u_${'e'.repeat(40)}', 'old', 'cus_old', 'api_calls', 9, to_timestamp($1), to_timestamp($1 + 3600), to_timestamp($1))`,
    [past(36 * 24)],
  );

  const run = await reconcileCli('--from', String(past(37 * 24)));
  expect(run.code).toBe(1);
  const lines = run.lines.filter((l) => /^(missing|rejected|excess|expired) /.test(l)).sort();
  expect(lines).toEqual([
    expect.stringMatching(/^excess +customer=cus_more meter=api_calls hour=\S+ ledger=0 stripe=3$/),
    expect.stringMatching(/^excess +customer=cus_more meter=api_calls hour=\S+ ledger=10 stripe=15$/),
    expect.stringMatching(/^expired +customer=cus_old meter=api_calls hour=\S+ ledger=9 stripe=0$/),
    expect.stringMatching(/^missing +customer=cus_lost meter=api_calls hour=\S+ ledger=4 stripe=0$/),
    expect.stringMatching(/^rejected +customer=cus_refused meter=api_calls hour=\S+ ledger=7 stripe=0$/),
  ]);
  expect(run.lines.at(-1)).toMatch(
    /^summary: .*: 7 hours compared \(2 confirmed, 1 missing, 1 rejected, 2 excess, 1 expired\)/,
  );
  expect(await meterOf('cus_refused')).toEqual({ sent: 7, pending: 0, rejected: 7, confirmed: 0 });
  expect(await meterOf('cus_ok')).toEqual({ sent: 10, pending: 0, rejected: 0, confirmed: 10 });
  expect(await meterOf('cus_lost')).toEqual({ sent: 4, pending: 0, rejected: 0, confirmed: 0 });

  const fixed = await reconcileCli('--fix', '--from', String(past(37 * 24)));
  expect(fixed.code).toBe(1); // excess and expired are never fixed; the refused hour stays rejected
  expect(fixed.lines.filter((l) => l.startsWith('fix ')).sort()).toEqual([
    expect.stringMatching(/customer=cus_lost .* units=4 attempt=1 \(missing\)$/),
    expect.stringMatching(/customer=cus_refused .* units=7 attempt=1 \(rejected\)$/),
  ]);
  const after = fixed.lines.slice(fixed.lines.indexOf('after fix:'));
  expect(after.filter((l) => /^(missing|rejected) /.test(l))).toEqual([
    expect.stringMatching(/^rejected +customer=cus_refused /),
  ]);
  expect(fixed.lines.at(-1)).toMatch(/^after fix: .*\(1 confirmed, 0 missing, 1 rejected, 2 excess, 1 expired\)/);
  expect(standInTotals(t.standIn)['cus_lost|api_calls']).toBe(4);
  expect(await meterOf('cus_lost')).toEqual({ sent: 4, pending: 0, rejected: 0, confirmed: 4 });

  // Stripe can map the customer now: the next fix gets it counted.
  t.standIn.acceptMeterCustomer('cus_refused');
  const again = await reconcileCli('--fix');
  expect(again.lines.filter((l) => l.startsWith('fix '))).toEqual([
    expect.stringMatching(/customer=cus_refused .* units=7 attempt=2 \(rejected\)$/),
  ]);
  expect(standInTotals(t.standIn)['cus_refused|api_calls']).toBe(7);
  expect(await meterOf('cus_refused')).toEqual({ sent: 7, pending: 0, rejected: 0, confirmed: 7 });
  const nothing = await reconcileCli('--fix');
  expect(nothing.lines.filter((l) => l.startsWith('fix '))).toEqual([]);
}, 60_000);

test('a report holds fewer samples than rejections: reconciliation finds the rest', async () => {
  t.standIn.setMeterBehaviour({ sampleLimit: 2 });
  const before = await rejectedRows();
  const h = past(5);
  for (let i = 0; i < 5; i++) {
    await count(`cus_many${i}`, i + 1, h);
    t.standIn.refuseMeterCustomer(`cus_many${i}`);
  }
  await t.service.usage!.drainNow();
  await waitFor(async () => (await rejectedRows()) === before + 2, 10_000, 'two samples');
  const run = await reconcileCli();
  const mine = run.lines.filter((l) => l.includes('customer=cus_many'));
  expect(mine.filter((l) => l.startsWith('rejected'))).toHaveLength(2);
  expect(mine.filter((l) => l.startsWith('missing'))).toHaveLength(3);
}, 30_000);

test('summaries over more than 100 hours are paged', async () => {
  const events = Array.from({ length: 130 }, (_, i) => ({
    customer: 'cus_pages',
    meter: 'api_calls',
    value: 1,
    timestamp: past(i + 3),
  }));
  expect((await t.v1('POST', '/usage', { events })).status).toBe(202);
  await t.service.usage!.drainNow();
  const path = '/event_summaries';
  const calls = () => t.standIn.countRequests((r) => r.path.endsWith(path) && r.query.customer === 'cus_pages');
  const run = await reconcileCli();
  expect(calls()).toBe(2);
  expect(run.lines.filter((l) => l.includes('cus_pages'))).toEqual([]);
  const [{ n }] = await t.service.dataSource.query(
    `SELECT count(*)::int AS n FROM usage_reconciliations WHERE stripe_customer_id = 'cus_pages' AND outcome = 'confirmed'`,
  );
  expect(n).toBe(130);
  await reconcileCli();
  expect(calls()).toBe(2); // confirmed hours are not asked about again
}, 30_000);

/** Meter events from another sender on the same Stripe account (not in this engine's ledger). */
async function postMeterEvents(events: Array<[string, string, number, number]>): Promise<void> {
  const stripe = stripeFor(t.standIn);
  const session = await stripe.v2.billing.meterEventSession.create();
  await stripe.v2.billing.meterEventStream.create(
    {
      events: events.map(([identifier, customer, value, at]) => ({
        event_name: 'api_calls',
        identifier,
        timestamp: new Date(at * 1000).toISOString(),
        payload: { stripe_customer_id: customer, value: String(value) },
      })),
    },
    { apiKey: session.authentication_token },
  );
}
