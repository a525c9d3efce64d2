/**
 * Paging Stripe's list APIs for the operator jobs (backfill, replay, usage reconciliation): each call waits for the
 * shared RateLimiter, and a 429 is retried with backoff. stripe-node retries connection errors,
 * 409 and 5xx itself, but never a plain 429: that one is ours to back off from.
 */
import { backoffWithJitter } from './backoff';
import { RateLimiter } from './rate-limiter';
import { sleep, type Sleep } from './wait';

export interface BackoffOptions {
  /** Attempts in all, the first included (default 8). */
  maxAttempts?: number;
  /** First wait after a 429 (default 1 s); doubles per attempt, capped at 30 s, ±20 % jitter. */
  baseDelayMs?: number;
  sleep?: Sleep;
  onRateLimited?: (attempt: number, delayMs: number) => void;
}

/** A 429 answer: stripe-node's StripeRateLimitError (and any StripeError of a 429) carries `statusCode`. */
export function isRateLimited(error: unknown): boolean {
  return (error as { statusCode?: number } | undefined)?.statusCode === 429;
}

/** Runs `call` after the limiter allows it; on a 429 waits (exponentially longer) and tries again. */
export async function paced<T>(limiter: RateLimiter, call: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 8;
  const shape = { baseMs: options.baseDelayMs ?? 1000, maxMs: 30_000 };
  for (let attempt = 1; ; attempt++) {
    await limiter.acquire();
    try {
      return await call();
    } catch (error) {
      if (!isRateLimited(error) || attempt >= maxAttempts) throw error;
      const delay = backoffWithJitter(attempt, shape);
      options.onRateLimited?.(attempt, delay);
      await (options.sleep ?? sleep)(delay);
    }
  }
}
