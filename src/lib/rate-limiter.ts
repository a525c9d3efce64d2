/**
 * The one rate limiter of the code base: spaces calls evenly to at most `perSecond` starts per
 * second within one process (backfill and replay paging Stripe, the usage drain's meter stream).
 */
import { sleep, type Sleep } from './wait';

/** When the next call may start, given the slot the previous one got (ms). Pure. */
export function nextSlot(previousSlot: number, now: number, intervalMs: number): number {
  return Math.max(now, previousSlot + intervalMs);
}

export class RateLimiter {
  private last = -Infinity;
  private readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly wait: Sleep = sleep,
    private readonly now: () => number = Date.now,
  ) {
    if (!(perSecond > 0)) throw new Error('RateLimiter: perSecond must be > 0');
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller may start its call. */
  async acquire(): Promise<void> {
    const now = this.now();
    const slot = nextSlot(this.last, now, this.intervalMs);
    this.last = slot;
    if (slot > now) await this.wait(slot - now);
  }
}
