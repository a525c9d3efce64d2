/**
 * What a usage claim is: its id (claim time, window size, paging), the cells it holds and how a
 * page of `field, value` pairs is parsed into them, and the invoice-flush requests it may settle.
 * Pure; the Redis side is usage-store.ts.
 */
import { randomBytes } from 'node:crypto';
import { decodeField, UsageCell, UsageKeys } from './keys';

export interface OpenClaim {
  id: string;
  /** Claim time, ms. */
  claimedAt: number;
  /** The keys of the shard (or legacy namespace) holding it. */
  keys: UsageKeys;
}

export interface ClaimedCell extends UsageCell {
  /** Decimal integer string (can exceed 2^53 after many increments). */
  value: string;
}

export interface ClaimContents {
  cells: ClaimedCell[];
  /** Raw fields that do not follow the layout or hold a non-integer; set aside, never sent. */
  invalid: Array<[field: string, value: string]>;
}

/** Fields per HSCAN page of a claim: the drain holds one page (plus its events) at a time. */
export const CLAIM_PAGE_SIZE = 1000;
/** How long a released claim stays listed in `released` (the usage query's rule needs 2 × its 10 minutes). */
export const RELEASED_KEEP_MS = 20 * 60_000;

/**
 * A fresh claim id: `<ms>-w<window seconds>-p<random>`. The window size travels with the claim, so a
 * claim resumed after USAGE_WINDOW_SECONDS changed still yields the same events and identifiers;
 * `p` marks a claim read page by page (ids made before paging have none: see plan.ts).
 */
export function newClaimId(nowMs: number, windowSeconds: number): string {
  return `${nowMs}-w${windowSeconds}-p${randomBytes(6).toString('hex')}`;
}

/** The window size a claim was made with (see newClaimId). */
export function claimWindowSeconds(claimId: string, fallback: number): number {
  const m = /^\d+-w(\d+)-/.exec(claimId);
  return m ? Number(m[1]) : fallback;
}

/** When a claim was made (ms), from its id; 0 when the id does not say. */
export const claimTimeMs = (claimId: string): number => Number(/^(\d+)-/.exec(claimId)?.[1] ?? 0);

/** True for claims sent page by page (made by this version); older ones are read whole. */
export const isPagedClaim = (claimId: string): boolean => /^\d+-w\d+-p/.test(claimId);

/** An `invoice.created` that asked for a flush: flush-set member `<customer>|<subscription>`. */
export interface FlushRequest {
  member: string;
  customer: string;
  subscription: string;
}

/** What an invoice-flush claim takes: these customers' cells; it settles these flush-set members. */
export interface FlushClaim {
  customers: ReadonlySet<string>;
  settles: readonly string[];
}

/**
 * Why the drain's per-cell and per-event records are class instances, never object literals or
 * `{ ...cell, value }` (BENCHMARKS.md 3b): on Node 20 (V8 11) a spread plus a property makes a
 * fresh hidden class per object in the old generation, and after one unlucky scavenge V8 may
 * allocate every later object of an object literal straight in the old generation ("pretenuring").
 * Either way the records and the young strings they hold stayed until a full GC, and the worker's
 * peak RSS grew with the claim (about one run in two). `new` has no allocation site to pretenure.
 */
class Cell implements ClaimedCell {
  constructor(
    readonly customer: string,
    readonly meter: string,
    readonly windowStart: number,
    readonly value: string,
  ) {}
}

export const claimedCell = (customer: string, meter: string, windowStart: number, value: string): ClaimedCell =>
  new Cell(customer, meter, windowStart, value);

/** A cell's value: a decimal integer that fits a PostgreSQL bigint (one RegExp for all calls). */
const CELL_VALUE = /^-?\d{1,19}$/;

/** Splits a page of `field, value, …` into cells and fields set aside. */
export function parseCells(flat: readonly string[]): ClaimContents {
  const contents: ClaimContents = { cells: [], invalid: [] };
  const seen = new Set<string>();
  for (let i = 0; i < flat.length; i += 2) {
    const field = flat[i];
    const value = flat[i + 1];
    if (seen.has(field)) continue; // HSCAN may return a field twice
    seen.add(field);
    const cell = decodeField(field);
    if (cell && CELL_VALUE.test(value))
      contents.cells.push(claimedCell(cell.customer, cell.meter, cell.windowStart, value));
    else contents.invalid.push([field, value]);
  }
  return contents;
}
