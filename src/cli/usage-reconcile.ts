/**
 * `npm run usage:reconcile [-- --from <unix s>] [--to <unix s>] [--fix]`: compares, per customer,
 * meter and hour that has settled (USAGE_RECONCILE_SETTLE_SECONDS), what the ledger sent with what
 * Stripe counted (default: the last 35 days). One line per hour that differs, then a summary line;
 * exit 1 when anything differs, else 0. `--fix` sends what Stripe lacks (missing and rejected hours
 * within 35 days), then compares again: the lines and exit code after `after fix` are what is left.
 */
import { parseArgs } from 'node:util';
import { differenceLine, differs, fixLine, fixSummaryLine, noMeterLines, summaryLine } from '../usage/reconcile-lines';
import { createReconciler, defaultReconcileRange, runReconciliation } from '../usage/reconcile-run';
import { fail, openOpsContext } from './ops-context';

function unixSeconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,12}$/.test(value)) throw new Error(`--${name} must be unix seconds (an integer), got ${value}`);
  return Number(value);
}

async function run(): Promise<number> {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, fix: { type: 'boolean' } },
  });
  const defaults = defaultReconcileRange(Date.now());
  const from = unixSeconds('from', values.from, defaults.from);
  const to = unixSeconds('to', values.to, defaults.to);
  if (from >= to) throw new Error('--from must be before --to');
  const ctx = await openOpsContext();
  try {
    const reconciler = createReconciler({
      ...ctx,
      backoff: {
        onRateLimited: (attempt, ms) => console.log(`Stripe answered 429: waiting ${ms} ms (attempt ${attempt})`),
      },
    });
    let shownAfterHeader = false;
    const report = await runReconciliation(reconciler, {
      from,
      to,
      fix: values.fix,
      onDifference: (row, pass) => {
        if (pass === 'after' && !shownAfterHeader) {
          console.log('after fix:');
          shownAfterHeader = true;
        }
        console.log(differenceLine(row));
      },
      onFix: (spec) => console.log(fixLine(spec)),
    });
    for (const line of noMeterLines(report.before)) console.log(line);
    console.log(summaryLine(report.before));
    if (report.fixes) console.log(fixSummaryLine(report.fixes, report.leftover));
    if (report.after) console.log(summaryLine(report.after, 'after fix'));
    return differs(report.after ?? report.before) ? 1 : 0;
  } finally {
    await ctx.dataSource.destroy();
  }
}

run()
  .then((code) => process.exit(code))
  .catch((error: unknown) => fail('usage:reconcile', error));
