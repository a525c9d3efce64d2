/**
 * The TypeScript usage client for Node services: counts usage in Redis, never calls Stripe.
 *
 * ```ts
 * import { Redis } from 'ioredis';
 * import { UsageClient } from 'stripe-billing-engine/src/usage';
 * const usage = new UsageClient({ redis: new Redis(process.env.REDIS_URL!), keyPrefix: 'billing' });
 * await usage.record({ customer: 'cus_123', meter: 'api_calls', value: 1 });
 * ```
 */
import type { Cluster, Redis } from 'ioredis';
import { encodeField, usageKeys } from './keys';
import { validateEvents, type UsageEvent } from './validate';
import { DEFAULT_WINDOW_SECONDS, isValidWindow, windowStart } from './window';

export interface UsageClientOptions {
  /** Any ioredis connection to the engine's Redis: a `Redis` (REDIS_URL) or a `Cluster` (REDIS_CLUSTER_NODES). */
  redis: Redis | Cluster;
  /** The engine's KEY_PREFIX (default `billing`). */
  keyPrefix?: string;
  /** The engine's USAGE_WINDOW_SECONDS (default 3600). Only affects how compactly cells are stored. */
  windowSeconds?: number;
  /** Clock in unix seconds (tests). */
  now?: () => number;
}

/** Thrown by `record` for invalid input; nothing was recorded. `message` names the field. */
export class UsageValidationError extends Error {
  override name = 'UsageValidationError';
}

/** Sums events that share a (customer, meter, window) cell; values as decimal strings (no 2^53 overflow). */
export function aggregateCells(events: readonly Required<UsageEvent>[], windowSeconds: number): Map<string, string> {
  const sums = new Map<string, bigint>();
  for (const e of events) {
    if (e.value === 0) continue;
    const field = encodeField({ customer: e.customer, meter: e.meter, windowStart: windowStart(e.timestamp, windowSeconds) });
    sums.set(field, (sums.get(field) ?? 0n) + BigInt(e.value));
  }
  return new Map([...sums].map(([field, sum]) => [field, sum.toString()]));
}

export class UsageClient {
  private readonly redis: Redis | Cluster;
  private readonly pendingKey: string;
  private readonly windowSeconds: number;
  private readonly now: () => number;

  constructor(options: UsageClientOptions) {
    const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    if (!isValidWindow(windowSeconds)) throw new Error('windowSeconds must divide 86400');
    this.redis = options.redis;
    this.pendingKey = usageKeys(options.keyPrefix ?? 'billing').pending;
    this.windowSeconds = windowSeconds;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * Counts one event or a list of up to 1,000. Validates everything first: customer `cus_…`, meter
   * event name, integer 0 ≤ value ≤ 2^53 − 1, timestamp (unix s, default now) within the past
   * 35 days and at most 5 minutes ahead. Invalid input throws {@link UsageValidationError} and
   * records nothing; valid input is written in one MULTI/EXEC, so it is recorded all or nothing.
   * Resolves to the number of events accepted. Each call counts again: retrying a call whose
   * outcome is unknown may count twice.
   */
  async record(events: UsageEvent | readonly UsageEvent[]): Promise<number> {
    const list = Array.isArray(events) ? events : [events];
    const checked = validateEvents(list, this.now());
    if (!checked.ok) throw new UsageValidationError(checked.error);
    await this.write(aggregateCells(checked.value, this.windowSeconds));
    return checked.value.length;
  }

  private async write(cells: Map<string, string>): Promise<void> {
    if (cells.size === 0) return;
    const tx = this.redis.multi();
    for (const [field, value] of cells) tx.hincrby(this.pendingKey, field, value);
    const results = await tx.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('usage write was aborted');
  }
}
