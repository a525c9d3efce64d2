/**
 * Reconciliation (flow C, step 2): per customer, meter and hour in [from, to) whose usage has settled
 * (reconcile-compare.ts `isSettled`), the ledger's units against Stripe's hourly meter event
 * summaries. Pairs are read page by page (memory stays flat), and each (customer, meter) costs one
 * summaries call (plus a page per 100 hours Stripe has), never one per hour. A cell already
 * confirmed for the same ledger units is not asked about again. Every outcome is stored
 * (usage_reconciliations), so the usage route, the console, the metrics and the doctor read it
 * without calling Stripe; each cell that differs is also handed to `onDifference` (the command's lines).
 */
import type { DataSource } from 'typeorm';
import { HOUR, isSettled, OUTCOMES, outcomeOf, type Outcome } from './reconcile-compare';
import { ledgerCells, pairPage, storeOutcomes, type LedgerCell, type OutcomeRow, type Pair } from './reconcile-ledger';
import type { StripeUsage } from './stripe-usage';

export interface ReconcileDeps {
  dataSource: DataSource;
  usage: StripeUsage;
  settleSeconds: number;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
  /** Summaries calls in flight at once (the limiter still spaces their starts). Default 4. */
  concurrency?: number;
  /** Pairs read from the ledger at a time. Default 500. */
  pageSize?: number;
}

export interface ReconcileOptions {
  /** Unix seconds; rounded down to hour starts. */
  from: number;
  to: number;
  onDifference?: (difference: OutcomeRow) => void;
}

export interface ReconcileReport {
  from: number;
  to: number;
  /** When the comparison was made (unix s): the `checked_at` of what it stored. */
  checkedAt: number;
  /** (customer, meter) pairs with usage in the range, and those Stripe was asked about. */
  pairs: number;
  asked: number;
  /** Hours compared, per outcome. */
  hours: Record<Outcome, number>;
  /** |ledger − Stripe| summed per outcome. */
  units: Record<Outcome, string>;
  /** Hours left for a later run: not settled yet (or a fix still unsent). */
  unsettled: number;
  stripeCalls: number;
  /** Meter event names without a meter in Stripe (their usage cannot be counted there). */
  noMeter: string[];
}

const floorHour = (t: number): number => t - (((t % HOUR) + HOUR) % HOUR);

export async function reconcile(deps: ReconcileDeps, opts: ReconcileOptions): Promise<ReconcileReport> {
  const nowS = Math.floor((deps.now ?? Date.now)() / 1000);
  const range = { from: floorHour(opts.from), to: floorHour(opts.to) };
  const callsBefore = deps.usage.calls;
  const report: ReconcileReport = {
    ...range,
    checkedAt: nowS,
    pairs: 0,
    asked: 0,
    hours: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>,
    units: Object.fromEntries(OUTCOMES.map((o) => [o, '0'])) as Record<Outcome, string>,
    unsettled: 0,
    stripeCalls: 0,
    noMeter: [],
  };
  const noMeter = new Set<string>();
  for (let after: Pair | undefined; ;) {
    const pairs = await pairPage(deps.dataSource, range, after, deps.pageSize ?? 500);
    if (pairs.length === 0) break;
    report.pairs += pairs.length;
    const cells = await ledgerCells(deps.dataSource, pairs, range);
    const rows: OutcomeRow[] = [];
    await eachLimit(groupByPair(cells), deps.concurrency ?? 4, async (pairCells) => {
      const compared = await comparePair(deps, pairCells, range, nowS, report, noMeter);
      rows.push(...compared);
    });
    await storeOutcomes(deps.dataSource, rows, nowS);
    for (const row of rows) tally(report, row, opts.onDifference);
    after = pairs[pairs.length - 1];
  }
  report.noMeter = [...noMeter].sort();
  report.stripeCalls = deps.usage.calls - callsBefore;
  return report;
}

/** The outcomes of one pair's settled, not yet confirmed cells, and of hours only Stripe has. */
async function comparePair(
  deps: ReconcileDeps,
  cells: LedgerCell[],
  range: { from: number; to: number },
  nowS: number,
  report: ReconcileReport,
  noMeter: Set<string>,
): Promise<OutcomeRow[]> {
  const settled = cells.filter((c) => isSettled(c, nowS, deps.settleSeconds));
  report.unsettled += cells.length - settled.length;
  const ask = settled.filter((c) => !(c.stored?.outcome === 'confirmed' && c.stored.ledger === c.ledger));
  if (ask.length === 0) return [];
  report.asked++;
  const { customer, meter } = ask[0];
  const meterId = await deps.usage.meterId(meter);
  if (!meterId) noMeter.add(meter);
  const first = ask[0].hour;
  const last = ask[ask.length - 1].hour;
  const stripe = meterId ? await deps.usage.hourly(meterId, customer, first, last + HOUR) : new Map<number, bigint>();
  const rows: OutcomeRow[] = ask.map((c) => {
    const counted = stripe.get(c.hour) ?? 0n;
    const outcome = outcomeOf(c, counted, nowS);
    return { customer, meter, hour: c.hour, outcome, ledger: c.ledger, stripe: counted, attempts: c.attempts };
  });
  // Hours Stripe counted where the ledger has nothing: excess (settled hours of the range only).
  const known = new Set(cells.map((c) => c.hour));
  for (const [hour, counted] of stripe) {
    const settledHour = hour + HOUR <= nowS - deps.settleSeconds && hour >= range.from && hour < range.to;
    if (!known.has(hour) && settledHour && counted > 0n)
      rows.push({ customer, meter, hour, outcome: 'excess', ledger: 0n, stripe: counted });
  }
  return rows;
}

function tally(report: ReconcileReport, row: OutcomeRow, onDifference?: (d: OutcomeRow) => void): void {
  report.hours[row.outcome]++;
  const gap = row.ledger > row.stripe ? row.ledger - row.stripe : row.stripe - row.ledger;
  report.units[row.outcome] = (BigInt(report.units[row.outcome]) + gap).toString();
  if (row.outcome !== 'confirmed') onDifference?.(row);
}

/** Consecutive cells of the same pair (cells come ordered by customer, meter, hour). */
function groupByPair(cells: readonly LedgerCell[]): LedgerCell[][] {
  const groups: LedgerCell[][] = [];
  for (const c of cells) {
    const last = groups.at(-1);
    if (last && last[0].customer === c.customer && last[0].meter === c.meter) last.push(c);
    else groups.push([c]);
  }
  return groups;
}

/** Runs `work` over `items`, at most `limit` at once; the first failure is thrown once all started work ended. */
async function eachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  const results = await Promise.allSettled(runners);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export type { OutcomeRow, Pair } from './reconcile-ledger';
