/**
 * A late resume (flow C): a claim resumed more than LATE_RESUME_MS after it was made may hold events
 * Stripe accepted before a crash kept them out of the ledger, and Stripe drops a repeated identifier
 * only within 24 hours. So its unrecorded events are not re-sent as they are: Stripe's hourly
 * summaries are asked first, and per (customer, meter, hour) only what Stripe lacks goes out, as a
 * fix (reconcile-fix.ts).
 *
 * Stripe lacks, for the claim's unrecorded units V of a cell with Stripe count S:
 *   clamp(U + V − S − F, 0, V)
 * where U is the cell's ledger units written more than the settle time ago and F the units of its
 * fixes accepted since then (or unsent) and not refused. Units sent within the settle time may not
 * be in S yet; leaving them out can only make the difference smaller, never send a unit twice:
 * whatever is still missing then is what reconciliation finds and `--fix` sends.
 *
 * Crash safety: the events go into the ledger and the fixes into usage_fixes in one transaction,
 * then the fixes are sent. A crash before they are sent leaves them unaccepted; every drain sends
 * unaccepted fixes first (drain.ts), and the claim, now all in the ledger, is released.
 */
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { recordSentIn } from './ledger';
import type { PlannedEvent } from './plan';
import { HOUR } from './reconcile-compare';
import { sendUnsentFixes, writeFixes, type FixDeps, type FixSpec } from './reconcile-fix';
import type { StripeUsage } from './stripe-usage';

/** Claims older than this are resumed late: Stripe may no longer remember their identifiers (24 h). */
export const LATE_RESUME_MS = 23 * 3600_000;

export interface LateResumeDeps {
  usage: StripeUsage;
  settleSeconds: number;
}

export interface LateResumeResult {
  /** Events Stripe had already (recorded, not sent). */
  recorded: number;
  /** Events to send as usual (their meter is unknown to Stripe: it refuses them, reconciliation reports it). */
  send: PlannedEvent[];
  fixes: FixSpec[];
}

const hourOf = (t: number): number => t - (t % HOUR);
const cellKey = (customer: string, meter: string, hour: number) => `${customer}|${meter}|${hour}`;

/** $1 = JSON [{customer, meter, hour}], $2 = the settle cutoff (unix s): U, F and the fixes' attempts per cell. */
const CELLS_SQL = `SELECT c.customer, c.meter, c.hour,
  (SELECT coalesce(sum(r.value), 0) FROM usage_reports r WHERE r.stripe_customer_id = c.customer AND r.meter = c.meter
    AND r.event_timestamp >= to_timestamp(c.hour) AND r.event_timestamp < to_timestamp(c.hour + 3600)
    AND r.sent_at <= to_timestamp($2))::text AS settled,
  (SELECT coalesce(sum(f.value), 0) FROM usage_fixes f WHERE f.stripe_customer_id = c.customer AND f.meter = c.meter
    AND f.hour_start = to_timestamp(c.hour) AND (f.accepted_at IS NULL OR f.accepted_at > to_timestamp($2))
    AND NOT EXISTS (SELECT 1 FROM usage_rejections j WHERE j.identifier = f.identifier))::text AS inflight,
  (SELECT coalesce(max(f.attempt), 0) FROM usage_fixes f WHERE f.stripe_customer_id = c.customer AND f.meter = c.meter
    AND f.hour_start = to_timestamp(c.hour)) AS attempts
  FROM json_to_recordset($1::json) AS c(customer text, meter text, hour bigint)`;

/** Per cell of `events`, what Stripe lacks; events of meters Stripe does not know are sent as usual. */
export async function planLateResume(
  deps: LateResumeDeps & { dataSource: DataSource },
  events: readonly PlannedEvent[],
  nowS: number,
): Promise<LateResumeResult> {
  const cells = new Map<string, { customer: string; meter: string; hour: number; value: bigint }>();
  for (const e of events) {
    const hour = hourOf(e.timestamp);
    const cell = cells.get(cellKey(e.customer, e.meter, hour)) ?? {
      customer: e.customer,
      meter: e.meter,
      hour,
      value: 0n,
    };
    cell.value += BigInt(e.value);
    cells.set(cellKey(e.customer, e.meter, hour), cell);
  }
  const stripe = await countedByStripe(deps.usage, [...cells.values()]);
  const known = [...cells.values()].filter((c) => stripe.has(cellKey(c.customer, c.meter, c.hour)));
  const rows = known.length
    ? ((await deps.dataSource.query(CELLS_SQL, [
        JSON.stringify(known.map(({ customer, meter, hour }) => ({ customer, meter, hour }))),
        nowS - deps.settleSeconds,
      ])) as Array<{
        customer: string;
        meter: string;
        hour: string;
        settled: string;
        inflight: string;
        attempts: number;
      }>)
    : [];
  const fixes: FixSpec[] = rows.map((r) => {
    const hour = Number(r.hour);
    const cell = cells.get(cellKey(r.customer, r.meter, hour))!;
    const counted = stripe.get(cellKey(r.customer, r.meter, hour))!;
    const lacking = BigInt(r.settled) + cell.value - counted - BigInt(r.inflight);
    const value = lacking < 0n ? 0n : lacking > cell.value ? cell.value : lacking;
    return { customer: r.customer, meter: r.meter, hour, attempts: Number(r.attempts), value, reason: 'resume' };
  });
  const send = events.filter((e) => !stripe.has(cellKey(e.customer, e.meter, hourOf(e.timestamp))));
  return { recorded: events.length - send.length, send, fixes };
}

/** Stripe's count per cell, one summaries call per (customer, meter); cells of unknown meters are absent. */
async function countedByStripe(
  usage: StripeUsage,
  cells: ReadonlyArray<{ customer: string; meter: string; hour: number }>,
): Promise<Map<string, bigint>> {
  const pairs = new Map<string, number[]>();
  for (const c of cells)
    pairs.set(`${c.customer}|${c.meter}`, [...(pairs.get(`${c.customer}|${c.meter}`) ?? []), c.hour]);
  const out = new Map<string, bigint>();
  for (const [pair, hours] of pairs) {
    const [customer, meter] = pair.split('|');
    const meterId = await usage.meterId(meter);
    if (!meterId) continue;
    const first = Math.min(...hours);
    const counted = await usage.hourly(meterId, customer, first, Math.max(...hours) + HOUR);
    for (const hour of hours) out.set(cellKey(customer, meter, hour), counted.get(hour) ?? 0n);
  }
  return out;
}

/**
 * Records the events Stripe had (all of `plan`'s but `send`) and writes the fixes in one
 * transaction, then sends the fixes. Returns the events still to send as usual.
 */
export async function applyLateResume(
  fix: FixDeps,
  events: readonly PlannedEvent[],
  plan: LateResumeResult,
): Promise<PlannedEvent[]> {
  const sendNow = new Set(plan.send);
  const recorded = events.filter((e) => !sendNow.has(e));
  await fix.dataSource.transaction(async (manager) => {
    await recordSentIn(manager, recorded);
    await writeFixes(manager, fix.keyPrefix, plan.fixes);
  });
  await sendUnsentFixes(fix);
  return plan.send;
}

/** A late claim's unrecorded events: Stripe asked, what it had recorded, what it lacks fixed; returns the events to send as usual. */
export async function resumeLate(
  deps: LateResumeDeps & { fix: FixDeps; log: Logger },
  claimId: string,
  events: readonly PlannedEvent[],
  nowS: number,
): Promise<PlannedEvent[]> {
  const plan = await planLateResume({ ...deps, dataSource: deps.fix.dataSource }, events, nowS);
  const send = await applyLateResume(deps.fix, events, plan);
  const fixed = plan.fixes.reduce((sum, f) => sum + f.value, 0n);
  deps.log.warn(
    {
      claimId,
      events: events.length,
      alreadyAtStripe: plan.recorded,
      fixedUnits: fixed.toString(),
      sentAsIs: send.length,
    },
    'claim resumed after Stripe forgets identifiers: sent only what its summaries lack',
  );
  return send;
}
