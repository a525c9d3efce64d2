/**
 * The rule behind `GET /v1/customers/:id/usage`: one customer's usage, split into `sent` (in the
 * `usage_reports` ledger) and `pending` (counted, not yet sent), so that under a concurrent drain
 * every unit is in exactly one of them. Pure: usage-query.ts gathers the inputs in this order:
 *
 *  1. a Redis snapshot per namespace (the customer's shard, and the legacy `{u}`), atomic inside it
 *     (one script, one slot), at Redis time T: the customer's pending cells P, each open claim's
 *     cells of the customer O, and the claims released in the last 20 minutes R;
 *  2. then the ledger rows L of the customer (one SELECT, one consistent view).
 *
 * A drain moves units P → claim (open) → Stripe → ledger row → claim released, in that order.
 *  - P: never claimed at T, so no ledger row can hold them as of T: **pending**.
 *  - O: a claim's cells are frozen and its identifiers deterministic (plan.ts). An event of O whose
 *    identifier is in L was sent (its row counts as sent below); otherwise it is **pending**. A
 *    drain writing the row between 1 and 2 only moves the unit from pending to sent, never to both.
 *  - L: a row counts as **sent** when its claim existed at T: open at T (O), released by T (R), or
 *    made long before T (claim time from its id < T − 10 min: released before R's 20 minutes
 *    began, or open and so in O). A row of a claim made after T holds units that were in P at T,
 *    already pending: it is left out. The 10 minutes absorb clock skew between drain and Redis.
 * Usage falls in [from, to) by its time (window.ts usageTime): its window's start, or the start of a
 * subscription that began inside the window, as its meter event is stamped; so the default range,
 * the current period, shows the usage Stripe bills in it, the window the period began in included.
 * The time comes from the window and the customer's starts at query time, for pending and sent
 * alike: a unit never moves across `from` when it is drained.
 */
import { claimTimeMs, claimWindowSeconds, type ClaimedCell } from './claim';
import { planClaim } from './plan';
import { usageTime, windowStart } from './window';

/** A ledger row is counted for a claim unknown to the snapshot only when older than this before T. */
export const UNKNOWN_CLAIM_AGE_MS = 10 * 60_000;

/** What one namespace's snapshot script returned, parsed. */
export interface CustomerSnapshot {
  /** Redis time of the snapshot, ms. */
  timeMs: number;
  pending: ClaimedCell[];
  open: Array<{ claimId: string; cells: ClaimedCell[] }>;
  released: string[];
}

export interface LedgerRow {
  identifier: string;
  claimId: string;
  meter: string;
  value: string;
  /** Unix seconds. */
  windowStart: number;
  windowEnd: number;
}

export interface UsageRange {
  from: number;
  to: number;
}

export type MeterTotals = Record<string, { sent: number; pending: number }>;

/** Whether the usage of the window [start, end) falls in `range`, given the customer's subscription `starts`. */
export function inUsageRange(range: UsageRange, starts: readonly number[]): (start: number, end: number) => boolean {
  return (start, end) => {
    const time = usageTime(start, end, starts);
    return time >= range.from && time < range.to;
  };
}

/** The ledger rows that count as sent under the rule above (whatever their window). */
export function sentRows<R extends LedgerRow>(snapshots: readonly CustomerSnapshot[], rows: readonly R[]): R[] {
  const known = new Set(snapshots.flatMap((s) => [...s.open.map((o) => o.claimId), ...s.released]));
  const cutoff = Math.min(...snapshots.map((s) => s.timeMs)) - UNKNOWN_CLAIM_AGE_MS;
  return rows.filter((r) => known.has(r.claimId) || claimTimeMs(r.claimId) < cutoff);
}

export function usageTotals(
  snapshots: readonly CustomerSnapshot[],
  rows: readonly LedgerRow[],
  range: UsageRange,
  opts: { keyPrefix: string; windowSeconds: number; starts: readonly number[] },
): MeterTotals {
  const sums = new Map<string, { sent: bigint; pending: bigint }>();
  const inRange = inUsageRange(range, opts.starts);
  const add = (meter: string, kind: 'sent' | 'pending', value: string) => {
    const entry = sums.get(meter) ?? { sent: 0n, pending: 0n };
    entry[kind] += BigInt(value);
    sums.set(meter, entry);
  };
  const inLedger = new Set(rows.map((r) => r.identifier));
  for (const snap of snapshots) {
    for (const c of snap.pending) {
      const start = windowStart(c.windowStart, opts.windowSeconds);
      if (inRange(start, start + opts.windowSeconds)) add(c.meter, 'pending', c.value);
    }
    for (const { claimId, cells } of snap.open) {
      // Only identifiers and windows are read here: the timestamps (now, starts) do not matter.
      const plan = planClaim(claimId, cells, {
        keyPrefix: opts.keyPrefix,
        windowSeconds: claimWindowSeconds(claimId, opts.windowSeconds),
        nowSeconds: 0,
        starts: new Map(),
      });
      for (const e of plan.events)
        if (inRange(e.windowStart, e.windowEnd) && !inLedger.has(e.identifier)) add(e.meter, 'pending', e.value);
    }
  }
  for (const r of sentRows(snapshots, rows)) if (inRange(r.windowStart, r.windowEnd)) add(r.meter, 'sent', r.value);
  const out: MeterTotals = {};
  for (const [meter, s] of [...sums].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // A raw negative HINCRBY can leave a pending cell below zero; it is never sent, so shows as 0.
    out[meter] = { sent: Number(s.sent), pending: Number(s.pending > 0n ? s.pending : 0n) };
  }
  return out;
}
