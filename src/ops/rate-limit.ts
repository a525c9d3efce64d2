/**
 * Pacing for the operator jobs (backfill, replay) that page Stripe's list APIs: a limiter that
 * spaces calls to at most `perSecond`, and a retry for 429s. stripe-node retries connection
 * errors, 409 and 5xx itself, but never a plain 429: that one is ours to back off from.
 */
import Stripe from 'stripe';

export type Sleep = (ms: number) => Promise<void>;
export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spaces calls evenly: each `acquire()` resolves at least 1000/perSecond ms after the previous one. */
export class RateLimiter {
  private next = 0;
  private readonly spacingMs: number;

  constructor(perSecond: number, private readonly wait: Sleep = sleep, private readonly now: () => number = Date.now) {
    if (!(perSecond > 0)) throw new Error('RateLimiter: perSecond must be > 0');
    this.spacingMs = 1000 / perSecond;
  }

  async acquire(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + this.spacingMs;
    if (at > now) await this.wait(at - now);
  }
}

export interface BackoffOptions {
  /** Attempts in all, the first included (default 8). */
  maxAttempts?: number;
  /** First wait after a 429 (default 1 s); doubles per attempt, capped at 30 s, ±20 % jitter. */
  baseDelayMs?: number;
  sleep?: Sleep;
  onRateLimited?: (attempt: number, delayMs: number) => void;
}

export function isRateLimited(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeRateLimitError || (error as { statusCode?: number })?.statusCode === 429;
}

/** Runs `call` after the limiter allows it; on a 429 waits (exponentially longer) and tries again. */
export async function paced<T>(limiter: RateLimiter, call: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 8;
  const base = options.baseDelayMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    await limiter.acquire();
    try {
      return await call();
    } catch (error) {
      if (!isRateLimited(error) || attempt >= maxAttempts) throw error;
      const delay = Math.round(Math.min(30_000, base * 2 ** (attempt - 1)) * (0.8 + 0.4 * Math.random()));
      options.onRateLimited?.(attempt, delay);
      await (options.sleep ?? sleep)(delay);
    }
  }
}
