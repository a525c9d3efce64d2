/** Spaces outgoing requests evenly: at most `perSecond` starts per second, across one process. */

/** When the next request may start, given when the previous one was allowed (ms). Pure. */
export function nextSlot(previousSlot: number, now: number, intervalMs: number): number {
  return Math.max(now, previousSlot + intervalMs);
}

export class RateLimiter {
  private last = -Infinity;
  private readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller may send its request. */
  async take(): Promise<void> {
    const slot = nextSlot(this.last, this.clock(), this.intervalMs);
    this.last = slot;
    const wait = slot - this.clock();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
