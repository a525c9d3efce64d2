/**
 * Time windows of usage. Usage is aggregated per (customer, meter, window); a window is a
 * UTC-aligned slice of USAGE_WINDOW_SECONDS (default one hour). Each meter event is timestamped at
 * its window's start, so a period boundary that falls on a window edge puts every unit on its own
 * side; a boundary inside a window bills that window to the period holding its start — except the
 * start of a subscription: the window it began in is stamped at that start (usageTime).
 */

export const DEFAULT_WINDOW_SECONDS = 3600;
/** Stripe accepts meter event timestamps within the past 35 days … */
export const STRIPE_PAST_LIMIT_S = 35 * 24 * 3600;
/** … and at most 5 minutes into the future. */
export const STRIPE_FUTURE_LIMIT_S = 5 * 60;

/** Start times (unix s) of each customer's subscriptions, as the mirror knows them (subscription-starts.ts). */
export type SubscriptionStarts = ReadonlyMap<string, readonly number[]>;

/** Start (unix s) of the window holding `unixSeconds`. */
export function windowStart(unixSeconds: number, windowSeconds: number): number {
  return unixSeconds - (((unixSeconds % windowSeconds) + windowSeconds) % windowSeconds);
}

export function windowEnd(start: number, windowSeconds: number): number {
  return start + windowSeconds;
}

/**
 * The time of a window's usage: its start, or the latest of `subscriptionStarts` inside it. Why:
 * Stripe bills a metered price from the meter events stamped inside the subscription's period, so
 * the window a subscription was created in, stamped at its start, would fall before the first
 * period and never be invoiced (while Stripe's per-customer summaries still count it). The latest
 * start is inside every period that began in the window; a renewal is no start, so the window
 * holding it still goes to the closing period (its draft invoice takes late usage for an hour).
 */
export function usageTime(start: number, end: number, subscriptionStarts: readonly number[]): number {
  let time = start;
  for (const s of subscriptionStarts) if (s > time && s < end) time = s;
  return time;
}

/**
 * The meter event timestamp for a window: its usage time, moved forward only when Stripe would no
 * longer accept it (older than 35 days, with a 10-minute margin for the request in flight) — to
 * the oldest second Stripe still takes, even past the window's end: billed late beats never billed.
 */
export function eventTimestamp(
  start: number,
  end: number,
  subscriptionStarts: readonly number[],
  nowSeconds: number,
): number {
  const oldestAccepted = nowSeconds - STRIPE_PAST_LIMIT_S + 600;
  return Math.max(usageTime(start, end, subscriptionStarts), oldestAccepted);
}

/** True when `windowSeconds` tiles a UTC day exactly (so windows never drift across days). */
export function isValidWindow(windowSeconds: number): boolean {
  return Number.isInteger(windowSeconds) && windowSeconds >= 1 && 86_400 % windowSeconds === 0;
}
