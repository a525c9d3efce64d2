/**
 * Fault injection of the Stripe stand-in: which requests fail, with which status, how often.
 * Seeded → the same sequence of faults on every run.
 */
import { seededRandom } from './util';

/** Fault injection: each matching request fails with probability `rate` (status 0 = drop the socket). */
export interface FaultOptions {
  rate: number;
  statuses: number[];
  paths?: RegExp;
  seed?: number;
  /** Stop injecting after this many faults. */
  times?: number;
}

export class FaultInjector {
  /** Number of faults injected since the last `clear()`. */
  injected = 0;
  private faults?: FaultOptions & { random: () => number };

  set(opts: FaultOptions): void {
    if (!(opts.rate >= 0 && opts.rate <= 1) || opts.statuses.length === 0)
      throw new Error('setFaults: rate in [0,1] and at least one status');
    this.faults = { ...opts, random: opts.seed === undefined ? Math.random : seededRandom(opts.seed) };
  }

  clear(): void {
    this.faults = undefined;
    this.injected = 0;
  }

  /** The status to fail a request to `path` with, or undefined to answer it normally. */
  pick(path: string): number | undefined {
    const f = this.faults;
    if (!f || (f.paths && !f.paths.test(path))) return undefined;
    if (f.times !== undefined && this.injected >= f.times) return undefined;
    if (f.random() >= f.rate) return undefined;
    this.injected++;
    return f.statuses[Math.floor(f.random() * f.statuses.length)];
  }
}
