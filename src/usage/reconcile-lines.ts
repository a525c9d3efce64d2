/**
 * What `npm run usage:reconcile` prints, pure: one line per hour that differs (outcome, customer,
 * meter, hour, ledger units, Stripe units), one per fix sent, and the summary lines.
 */
import { OUTCOMES, type Outcome } from './reconcile-compare';
import type { OutcomeRow, ReconcileReport } from './reconcile';
import type { FixSpec, SendReport } from './reconcile-fix';

const iso = (unixS: number): string => new Date(unixS * 1000).toISOString().replace('.000Z', 'Z');

export function differenceLine(row: OutcomeRow): string {
  return `${row.outcome.padEnd(8)} customer=${row.customer} meter=${row.meter} hour=${iso(row.hour)} ledger=${row.ledger} stripe=${row.stripe}`;
}

export function fixLine(fix: FixSpec): string {
  return `fix      customer=${fix.customer} meter=${fix.meter} hour=${iso(fix.hour)} units=${fix.value} attempt=${fix.attempts + 1} (${fix.reason})`;
}

/** True when any compared hour differs from Stripe. */
export const differs = (report: ReconcileReport): boolean =>
  OUTCOMES.some((o) => o !== 'confirmed' && report.hours[o] > 0);

export function summaryLine(report: ReconcileReport, label = 'summary'): string {
  const hours = OUTCOMES.reduce((sum, o) => sum + report.hours[o], 0);
  const counts = OUTCOMES.map((o: Outcome) => `${report.hours[o]} ${o}`).join(', ');
  return (
    `${label}: ${iso(report.from)} – ${iso(report.to)}: ${hours} hours compared (${counts}); ` +
    `${report.unsettled} not settled yet; ${report.pairs} customer-meter pairs, ${report.asked} asked, ` +
    `${report.stripeCalls} Stripe calls`
  );
}

export function noMeterLines(report: ReconcileReport): string[] {
  return report.noMeter.map(
    (name) =>
      `no meter   "${name}": Stripe has no meter with this event name, so its usage is not counted and not fixed — create it (Billing → Meters), then run again`,
  );
}

export function fixSummaryLine(sent: SendReport & { written: number }, leftover?: SendReport): string {
  const resent = leftover?.events ? `; ${leftover.events} left unsent by an earlier run sent first` : '';
  const dropped = sent.dropped + (leftover?.dropped ?? 0);
  return (
    `fix: ${sent.written} hours, ${sent.events} events (${sent.units} units) sent in ${sent.requests} requests${resent}` +
    (dropped ? `; ${dropped} unsent fixes dropped, past Stripe's 35 days` : '')
  );
}
