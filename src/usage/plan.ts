/**
 * Pure planning of a drain: a claim's cells → one meter event per (customer, meter, window) with a
 * deterministic identifier → batches of at most 100 (the v2 meter event stream's limit).
 */
import { createHash } from 'node:crypto';
import { claimedCell, isPagedClaim, type ClaimedCell } from './claim';
import type { StreamEvent } from './meter-stream';
import { eventTimestamp, type SubscriptionStarts, windowEnd, windowStart } from './window';

export const MAX_EVENTS_PER_BATCH = 100;

export interface PlannedEvent {
  identifier: string;
  claimId: string;
  customer: string;
  meter: string;
  /** Positive decimal integer string. */
  value: string;
  windowStart: number;
  windowEnd: number;
  /** Unix seconds sent to Stripe; inside the window (window.ts usageTime) unless Stripe's 35-day limit forbids. */
  timestamp: number;
}

/** A planned event; a class, as every per-event record (claim.ts, claimedCell). */
class Planned implements PlannedEvent {
  constructor(
    readonly identifier: string,
    readonly claimId: string,
    readonly customer: string,
    readonly meter: string,
    readonly value: string,
    readonly windowStart: number,
    readonly windowEnd: number,
    readonly timestamp: number,
  ) {}
}

export interface PlanOptions {
  keyPrefix: string;
  windowSeconds: number;
  nowSeconds: number;
  /** Subscription starts of the cells' customers: a window holding one is stamped there (window.ts). */
  starts: SubscriptionStarts;
}

export interface ClaimPlan {
  events: PlannedEvent[];
  /** Cells whose sum is negative: set aside for an operator, never sent (Stripe wants whole units ≥ 0). */
  negative: ClaimedCell[];
}

/**
 * `u_` + 40 hex of SHA-256 over (key prefix, claim id, customer, meter, window start[, `unaligned`]).
 * The same claim always yields the same identifiers, so a retried or resumed drain repeats them and
 * Stripe drops the repeats; the prefix keeps two deployments sharing a Stripe account apart. The
 * timestamp is left out on purpose: a subscription start mirrored between two attempts moves the
 * re-send's timestamp (window.ts usageTime), and Stripe still drops it as a repeat, keeping the first.
 */
export function eventIdentifier(
  keyPrefix: string,
  claimId: string,
  customer: string,
  meter: string,
  start: number,
  unaligned = false,
): string {
  const text = `${keyPrefix}\n${claimId}\n${customer}\n${meter}\n${start}${unaligned ? '\nunaligned' : ''}`;
  const digest = createHash('sha256').update(text).digest('hex');
  return `u_${digest.slice(0, 40)}`;
}

/** What every identifier the engine sends looks like: `u_` (a drain, above) or `f_` (a fix, fix-plan.ts) + 40 hex. */
export const ENGINE_IDENTIFIER = /^[uf]_[0-9a-f]{40}$/;

/**
 * True when a cell's time is its window's start: the client, the API and the documented command
 * always write such fields, and each is alone in its (customer, meter, window), so a claim can be
 * sent page by page. Other fields (a raw HINCRBY with any second) are summed over the whole claim
 * and sent at its end as separate `unaligned` events.
 */
export const isAligned = (cell: ClaimedCell, windowSeconds: number): boolean =>
  windowStart(cell.windowStart, windowSeconds) === cell.windowStart;

/** One (customer, meter, window) being summed; a class, as every per-cell record (claim.ts, claimedCell). */
class Sum {
  constructor(
    readonly first: ClaimedCell,
    readonly start: number,
    public sum: bigint,
  ) {}
}

/** Sums cells per (customer, meter, window), in a stable order; zero sums are dropped. */
export function aggregateClaim(cells: readonly ClaimedCell[], windowSeconds: number): ClaimedCell[] {
  const sums = new Map<string, Sum>();
  for (const c of cells) {
    const start = windowStart(c.windowStart, windowSeconds);
    const key = `${c.customer}|${c.meter}|${start}`;
    const entry = sums.get(key);
    if (entry) entry.sum += BigInt(c.value);
    else sums.set(key, new Sum(c, start, BigInt(c.value)));
  }
  return [...sums.values()]
    .filter((e) => e.sum !== 0n)
    .map((e) => claimedCell(e.first.customer, e.first.meter, e.start, e.sum.toString()))
    .sort((a, b) => cmp(a.customer, b.customer) || cmp(a.meter, b.meter) || a.windowStart - b.windowStart);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The events of (part of) a claim. Paged claims: aligned cells and the sums of unaligned ones get
 * distinct identifiers (see isAligned), so any split into pages plans the same events. Claims made
 * before paging: everything summed per window, as they were planned then.
 */
export function planClaim(claimId: string, cells: readonly ClaimedCell[], opts: PlanOptions): ClaimPlan {
  const plan: ClaimPlan = { events: [], negative: [] };
  if (!isPagedClaim(claimId)) {
    addCells(plan, claimId, cells, opts, false);
    return plan;
  }
  addCells(
    plan,
    claimId,
    cells.filter((c) => isAligned(c, opts.windowSeconds)),
    opts,
    false,
  );
  addCells(
    plan,
    claimId,
    cells.filter((c) => !isAligned(c, opts.windowSeconds)),
    opts,
    true,
  );
  return plan;
}

function addCells(
  plan: ClaimPlan,
  claimId: string,
  cells: readonly ClaimedCell[],
  opts: PlanOptions,
  unaligned: boolean,
): void {
  for (const cell of aggregateClaim(cells, opts.windowSeconds)) {
    if (cell.value.startsWith('-')) {
      plan.negative.push(cell);
      continue;
    }
    const identifier = eventIdentifier(opts.keyPrefix, claimId, cell.customer, cell.meter, cell.windowStart, unaligned);
    const end = windowEnd(cell.windowStart, opts.windowSeconds);
    plan.events.push(
      new Planned(
        identifier,
        claimId,
        cell.customer,
        cell.meter,
        cell.value,
        cell.windowStart,
        end,
        eventTimestamp(cell.windowStart, end, opts.starts.get(cell.customer) ?? [], opts.nowSeconds),
      ),
    );
  }
}

/** Splits into consecutive batches of at most `size`. */
export function toBatches<T>(items: readonly T[], size = MAX_EVENTS_PER_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A meter event as the v2 stream takes it (payload keys are Stripe's defaults); classes, as every per-event record (claim.ts, claimedCell). */
class StreamPayload {
  [key: string]: string;
  constructor(
    readonly stripe_customer_id: string,
    readonly value: string,
  ) {}
}
class StreamEventBody implements StreamEvent {
  constructor(
    readonly event_name: string,
    readonly identifier: string,
    readonly timestamp: string,
    readonly payload: StreamPayload,
  ) {}
}

/** The v2 meter event stream shape of a planned event. */
export function toStreamEvent(e: PlannedEvent): StreamEvent {
  return new StreamEventBody(
    e.meter,
    e.identifier,
    new Date(e.timestamp * 1000).toISOString(),
    new StreamPayload(e.customer, e.value),
  );
}
