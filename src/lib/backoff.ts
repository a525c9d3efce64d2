/** The one backoff-with-jitter of the code base: event job retries and 429 retries use it. */

export interface BackoffShape {
  baseMs: number;
  maxMs: number;
}

/**
 * Wait before retry number `attempt` (1-based): base × 2^(attempt−1), capped at max, ±20 % jitter.
 * The jitter spreads the retries of many callers that failed together (one outage, one 429 burst).
 */
export function backoffWithJitter(attempt: number, shape: BackoffShape, random: () => number = Math.random): number {
  const raw = Math.min(shape.maxMs, shape.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}
