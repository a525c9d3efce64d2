/**
 * The decisions of flow C, pure: when an hour of usage may be compared with Stripe, what the
 * comparison says, what a fix may send, and what the usage route reports from stored outcomes.
 *
 * A cell is one (customer, meter, hour): the hour of the meter event timestamps, as Stripe's hourly
 * summaries bucket them. `ledger` is the units counted for it (`usage_reports`); fixes only re-send
 * those units, so Stripe should count exactly `ledger`.
 *
 * Outcome state machine of a cell (stored in usage_reconciliations, recomputed by every run that
 * compares it): confirmed (Stripe = ledger) · excess (Stripe > ledger: never fixed) · expired
 * (Stripe < ledger, and the hour is past Stripe's 35-day limit: reported, never fixed) · rejected
 * (Stripe < ledger and Stripe refused some of the cell's events) · missing (Stripe < ledger, no
 * refusal known). A fix moves missing/rejected towards confirmed; a cell whose ledger grows is
 * compared again.
 */
import { eventTimestamp } from './window';

export const HOUR = 3600;
export type Outcome = 'confirmed' | 'missing' | 'rejected' | 'excess' | 'expired';
export const OUTCOMES: readonly Outcome[] = ['confirmed', 'missing', 'rejected', 'excess', 'expired'];

export interface Cell {
  customer: string;
  meter: string;
  /** Start of the hour, unix s. */
  hour: number;
  /** Units counted for it (`usage_reports`). */
  ledger: bigint;
  /** Units of its meter events (counted or re-sent) that Stripe reported refused. */
  marked: bigint;
  /** Latest time (unix s) an event of the cell reached Stripe: a ledger row written, or a fix accepted. */
  lastSent: number;
  /** A fix row written but not yet accepted by Stripe (it is sent before anything else). */
  unsent: boolean;
}

/**
 * True when the cell may be compared: its hour ended, and its last event reached Stripe, more than
 * `settleSeconds` ago (summaries lag: a unit still on its way must not be reported, or re-sent, as missing).
 */
export function isSettled(
  cell: Pick<Cell, 'hour' | 'lastSent' | 'unsent'>,
  nowS: number,
  settleSeconds: number,
): boolean {
  const settledBefore = nowS - settleSeconds;
  return !cell.unsent && cell.hour + HOUR <= settledBefore && cell.lastSent <= settledBefore;
}

/**
 * The timestamp a fix for `hour` is sent with: stamped as the drain stamps the hour taken as a window
 * (at a subscription start inside it, window.ts usageTime), as early as Stripe still takes, inside the
 * hour; undefined when Stripe takes no second of it.
 */
export function fixTimestamp(hour: number, nowS: number, subscriptionStarts: readonly number[]): number | undefined {
  const ts = eventTimestamp(hour, hour + HOUR, subscriptionStarts, nowS);
  return ts < hour + HOUR ? ts : undefined;
}

export function outcomeOf(cell: Pick<Cell, 'hour' | 'ledger' | 'marked'>, stripe: bigint, nowS: number): Outcome {
  if (stripe === cell.ledger) return 'confirmed';
  if (stripe > cell.ledger) return 'excess';
  // Subscription starts move a fix's timestamp within the hour only: they never decide whether it expired.
  if (fixTimestamp(cell.hour, nowS, []) === undefined) return 'expired';
  return cell.marked > 0n ? 'rejected' : 'missing';
}

/** What a fix sends for a compared cell: the units Stripe lacks, for missing and rejected cells only. */
export function fixUnits(outcome: Outcome, ledger: bigint, stripe: bigint): bigint {
  return outcome === 'missing' || outcome === 'rejected' ? ledger - stripe : 0n;
}

/** The last comparison of a cell, as stored. */
export interface StoredOutcome {
  outcome: Outcome;
  ledger: bigint;
  stripe: bigint;
}

/**
 * The usage route's `confirmed` and `rejected` for the `sent` units of one cell in its range
 * (`inRange` ≤ the cell's ledger units, less when the range cuts the hour), without calling Stripe:
 * confirmed = what the last comparison found in Stripe's totals; rejected = the gap a comparison
 * called rejected, else the refused units the thin events reported (at most the gap). An hour cut
 * by the range gets the gap first, so neither is ever overstated.
 */
export function routeTotals(
  ledger: bigint,
  inRange: bigint,
  marked: bigint,
  stored: StoredOutcome | undefined,
): { confirmed: bigint; rejected: bigint } {
  const stripe = stored ? min(stored.stripe, ledger) : 0n;
  const gap = ledger - stripe;
  // A stored outcome compared other ledger units (rows written since): its rejected verdict is stale.
  const fresh = stored !== undefined && stored.ledger === ledger;
  const rejectedAll = fresh && stored.outcome === 'rejected' ? gap : min(marked, gap);
  return { confirmed: max(0n, inRange - gap), rejected: min(rejectedAll, inRange) };
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
