/**
 * 9. Usage confirmed by Stripe: usage over many (customer, meter) pairs in the past hours, drained
 * every 2 s, while Stripe (the stand-in) silently loses 10 % of the meter events it accepts and
 * refuses 3 customers after the fact (thin error reports POSTed to the service). Then the operator
 * maps those customers and runs `usage:reconcile --fix` until nothing differs (Stripe keeps losing
 * 10 %, fixes included, so lost fixes are fixed in a later round) → Stripe's total equals the
 * ledger's and the counted total for every pair, and no unit reaches Stripe twice.
 */
import { DataSource } from 'typeorm';
import { billingMeter } from '../../stand-in/account-objects';
import { seededRandom } from '../../stand-in/util';
import { createDataSource } from '../../src/db/data-source';
import { waitFor } from '../../src/lib/wait';
import { createStripeClient } from '../../src/stripe';
import { customerKeys, windowStart } from '../../src/usage';
import { createReconciler, defaultReconcileRange, runReconciliation } from '../../src/usage/reconcile-run';
import { Scenario } from '../scenario';
import { USAGE_METERS, usagePairs } from '../usage-pairs';
import { CHAOS_WEBHOOK_SECRET, Stack } from '../stack';
import { usageSettled } from '../verify';

const HOURS = 4;
const MAX_ROUNDS = 10;

export const usageConfirmation: Scenario = {
  id: 9,
  name: 'Usage confirmed by Stripe',
  async run(ctx) {
    const { increments, pairs, lossRate, refused } = ctx.scale.confirmation;
    const rng = seededRandom(ctx.seed + 9);
    const pairList = usagePairs(`conf${ctx.seed}`, pairs);
    const stack = await Stack.start({
      name: 's9',
      entry: ctx.entry,
      servers: ctx.servers,
      logDir: ctx.logDir,
      env: { USAGE_FLUSH_INTERVAL_MS: '2000', STRIPE_METER_RATE_LIMIT_PER_SECOND: '100' },
    });
    let dataSource: DataSource | undefined;
    try {
      const { standIn } = stack;
      for (const event_name of USAGE_METERS) standIn.put(billingMeter({ event_name }));
      standIn.setThinEventDestination({ url: `${stack.apiUrl}/webhooks/stripe`, secret: CHAOS_WEBHOOK_SECRET });
      standIn.setMeterLoss(lossRate, ctx.seed);
      const refusedCustomers = pairList.slice(0, refused).map((p) => p.customer);
      for (const c of refusedCustomers) standIn.refuseMeterCustomer(c);
      ctx.log(
        `${increments} increments over ${pairs} pairs in the last ${HOURS} hours; Stripe loses ${lossRate * 100} %, refuses ${refused} customers`,
      );

      // The documented one-command increment, into hours that have ended.
      const counted = new Map<string, number>();
      const lastHour = windowStart(Math.floor(Date.now() / 1000), 3600) - 3600;
      for (let done = 0; done < increments; done += 1000) {
        const pipeline = stack.redis.pipeline();
        for (let i = done; i < Math.min(increments, done + 1000); i++) {
          const p = pairList[Math.floor(rng() * pairs)];
          const value = 1 + Math.floor(rng() * 5);
          const hour = lastHour - Math.floor(rng() * HOURS) * 3600;
          pipeline.hincrby(customerKeys(stack.prefix, p.customer).pending, `${p.customer}|${p.meter}|${hour}`, value);
          counted.set(`${p.customer}|${p.meter}`, (counted.get(`${p.customer}|${p.meter}`) ?? 0) + value);
        }
        await pipeline.exec();
      }
      await waitFor(() => usageSettled(stack.redis, stack.prefix), 10 * 60_000, 'usage to drain', 500);
      const lostByStripe = standIn.lostMeterEvents.length;
      const refusedByStripe = standIn.meterEventRejections.length;
      // Every error report delivered and applied: one recorded thin event id per report.
      await waitFor(
        async () =>
          (await stack.count('SELECT count(DISTINCT stripe_event_id) FROM usage_rejections')) ===
          standIn.thinEvents.length,
        60_000,
        'the error reports',
        250,
      );

      ctx.log(
        `drained: Stripe lost ${lostByStripe} events, refused ${refusedByStripe}; the operator maps the customers and fixes`,
      );
      for (const c of refusedCustomers) standIn.acceptMeterCustomer(c);
      dataSource = createDataSource(stack.dbUrl, { poolSize: 4 });
      await dataSource.initialize();
      const reconciler = createReconciler({
        config: {
          KEY_PREFIX: stack.prefix,
          STRIPE_API_URL: standIn.url,
          STRIPE_METER_RATE_LIMIT_PER_SECOND: 100,
          BACKFILL_RATE_PER_SECOND: 100,
          USAGE_RECONCILE_SETTLE_SECONDS: 0,
        },
        dataSource,
        stripe: createStripeClient({ secretKey: 'sk_test_chaos', apiUrl: standIn.url }),
      });
      const rounds = await fixUntilConfirmed(reconciler, ctx.log);
      return {
        ...(await verdict(stack, counted, rounds)),
        faults: `${lostByStripe} meter events lost by Stripe (${lossRate * 100} %), ${refusedByStripe} refused (${refused} customers); \`--fix\` took ${rounds.length} round${rounds.length === 1 ? '' : 's'}`,
      };
    } finally {
      await dataSource?.destroy();
      await stack.stop();
    }
  },
};

interface Round {
  missing: number;
  rejected: number;
  excess: number;
  expired: number;
  fixEvents: number;
  fixUnits: string;
  stripeCalls: number;
}

/** `usage:reconcile --fix` until its comparison after the fix finds no missing or rejected hour. */
async function fixUntilConfirmed(
  reconciler: ReturnType<typeof createReconciler>,
  log: (m: string) => void,
): Promise<Round[]> {
  const rounds: Round[] = [];
  for (let i = 0; i < MAX_ROUNDS; i++) {
    const report = await runReconciliation(reconciler, { ...defaultReconcileRange(Date.now()), fix: true });
    const { hours } = report.before;
    rounds.push({
      ...hours,
      fixEvents: report.fixes?.events ?? 0,
      fixUnits: report.fixes?.units ?? '0',
      stripeCalls: report.before.stripeCalls + (report.after?.stripeCalls ?? 0),
    } as Round);
    log(
      `fix round ${i + 1}: ${hours.missing} missing, ${hours.rejected} rejected hours; ${report.fixes?.events} fix events`,
    );
    if (report.after!.hours.missing + report.after!.hours.rejected === 0) break;
  }
  return rounds;
}

/** Per pair: Stripe's total against the counted total (lost, doubled) and the ledger's (wrong). */
async function verdict(stack: Stack, counted: Map<string, number>, rounds: Round[]) {
  const totals = stack.standIn.meterTotals();
  const ledger = new Map(
    (
      await stack.db.query<{ k: string; v: string }>(
        `SELECT stripe_customer_id || '|' || meter AS k, sum(value)::text AS v FROM usage_reports GROUP BY 1`,
      )
    ).rows.map((r) => [r.k, Number(r.v)]),
  );
  let lost = 0;
  let doubled = 0;
  const wrongPairs: string[] = [];
  for (const key of new Set([...counted.keys(), ...totals.keys(), ...ledger.keys()])) {
    const diff = (totals.get(key) ?? 0) - (counted.get(key) ?? 0);
    if (diff < 0) lost -= diff;
    if (diff > 0) doubled += diff;
    if (diff !== 0 || ledger.get(key) !== counted.get(key))
      wrongPairs.push(
        `${key}: Stripe ${totals.get(key) ?? 0}, ledger ${ledger.get(key) ?? 0}, counted ${counted.get(key) ?? 0}`,
      );
  }
  const last = rounds[rounds.length - 1];
  const crashed = stack.processes.filter((p) => p.crashed).map((p) => p.name);
  const units = [...counted.values()].reduce((a, b) => a + b, 0);
  return {
    load: `${counted.size.toLocaleString('en')} pairs, ${units.toLocaleString('en')} units over ${HOURS} hours`,
    lost,
    doubled,
    wrong: wrongPairs.length + crashed.length + (last ? last.excess + last.expired : 0),
    details: {
      unitsCounted: units,
      wrongPairs: wrongPairs.slice(0, 10),
      fixRounds: rounds,
      meterEventsAccepted: stack.standIn.meterEvents.length,
      meterEventsLost: stack.standIn.lostMeterEvents.length,
      thinEvents: stack.standIn.thinEvents.length,
      rejectionsRecorded: await stack.count('SELECT count(*) FROM usage_rejections'),
      fixRows: await stack.count('SELECT count(*) FROM usage_fixes'),
      ledgerRows: await stack.count('SELECT count(*) FROM usage_reports'),
      processesCrashed: crashed,
    },
  };
}
