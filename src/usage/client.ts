/**
 * The TypeScript usage client for Node services: counts usage in Redis, never calls Stripe.
 *
 * ```ts
 * import { Redis } from 'ioredis';
 * import { UsageClient } from 'stripe-billing-engine/usage'; // the package entry (docs/usage.md)
 * const usage = new UsageClient({ redis: new Redis(process.env.REDIS_URL!), keyPrefix: 'billing' });
 * await usage.record({ customer: 'cus_123', meter: 'api_calls', value: 1, id: 'req_8f2c' });
 * ```
 */
import { usageKeys } from './keys';
import { addEvents, byShard, countDuplicates, emptyBatch, recordShardsCall, type ShardBatch } from './record-batches';
import type { RedisConnection } from '../runtime/redis';
import { runScript } from '../runtime/run-script';
import { RECORD_SHARDS_SCRIPT } from './scripts';
import { ALL_SHARDS } from './shard';
import { validateEvents, type UsageEvent } from './validate';
import { DEFAULT_WINDOW_SECONDS, isValidWindow } from './window';

export interface UsageClientOptions {
  /** Any ioredis connection (or Cluster) to the Redis the billing engine uses. */
  redis: RedisConnection;
  /** The engine's KEY_PREFIX (default `billing`). */
  keyPrefix?: string;
  /** The engine's USAGE_WINDOW_SECONDS (default 3600). Only affects how compactly cells are stored. */
  windowSeconds?: number;
  /** The engine's USAGE_DEDUPE_SECONDS (default 86400): how long an event id is remembered. */
  dedupeSeconds?: number;
  /** Clock in unix seconds (tests). */
  now?: () => number;
}

/** What `record` counted: `accepted` events, of which `duplicates` had an id counted before. */
export interface RecordResult {
  accepted: number;
  duplicates: number;
}

/** Thrown by `record` for invalid input; nothing was recorded. `message` names the field. */
export class UsageValidationError extends Error {
  override name = 'UsageValidationError';
}

interface Waiter {
  range: [number, number];
  resolve(duplicates: number): void;
  reject(error: unknown): void;
}

export class UsageClient {
  private readonly redis: RedisConnection;
  private readonly keyPrefix: string;
  private readonly windowSeconds: number;
  private readonly dedupeSeconds: number;
  private readonly now: () => number;
  /** Pending hash of each shard, by shard number. */
  private readonly pending: readonly string[];
  /** Calls of the current tick, per shard; sent together on the next turn of the event loop. */
  private queued = new Map<number, { batch: ShardBatch; waiters: Waiter[] }>();

  constructor(options: UsageClientOptions) {
    const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    if (!isValidWindow(windowSeconds)) throw new Error('windowSeconds must divide 86400');
    this.redis = options.redis;
    this.keyPrefix = options.keyPrefix ?? 'billing';
    this.windowSeconds = windowSeconds;
    this.dedupeSeconds = options.dedupeSeconds ?? 86_400;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.pending = ALL_SHARDS.map((shard) => usageKeys(this.keyPrefix, shard).pending);
  }

  /**
   * Counts one event or a list of up to 1,000. Validates everything first: customer `cus_…`, meter
   * event name, integer 0 ≤ value ≤ 2^53 − 1, timestamp (unix s, default now) within the past
   * 35 days and at most 5 minutes ahead, optional `id` (1–100 of `A–Z a–z 0–9 _ . : -`). Invalid
   * input throws {@link UsageValidationError} and records nothing.
   *
   * Each event with an `id` is counted at most once per customer within `dedupeSeconds`, atomically
   * with its increment, so a call whose outcome is unknown can be retried safely; repeats are
   * reported in `duplicates`. Events without an id are counted again on every call (at-least-once).
   * Calls made in the same tick share one script call on a single Redis (one per shard on a
   * cluster). On a cluster a list spanning several shards is several calls, so if one fails some
   * shards may have counted: retry with ids.
   */
  async record(events: UsageEvent | readonly UsageEvent[]): Promise<RecordResult> {
    const list = Array.isArray(events) ? events : [events];
    const checked = validateEvents(list, this.now());
    if (!checked.ok) throw new UsageValidationError(checked.error);
    const accepted = checked.value.length;
    const groups = byShard(checked.value);
    // One shard (every single event): no Promise.all on the hot path.
    if (groups.size === 1) {
      const [[shard, group]] = groups;
      return { accepted, duplicates: await this.enqueue(shard, group) };
    }
    const parts = [...groups].map(([shard, group]) => this.enqueue(shard, group));
    const duplicates = (await Promise.all(parts)).reduce((a, b) => a + b, 0);
    return { accepted, duplicates };
  }

  private enqueue(shard: number, events: Parameters<typeof addEvents>[1]): Promise<number> {
    if (this.queued.size === 0) setImmediate(() => this.flush());
    let entry = this.queued.get(shard);
    if (!entry) this.queued.set(shard, (entry = { batch: emptyBatch(shard), waiters: [] }));
    const range = addEvents(entry.batch, events, this.keyPrefix, this.windowSeconds);
    const waiters = entry.waiters;
    return new Promise((resolve, reject) => waiters.push({ range, resolve, reject }));
  }

  private flush(): void {
    const entries = [...this.queued.values()];
    this.queued = new Map();
    // A single Redis takes every shard of the tick in one script call; a cluster one call per shard (one slot each).
    const calls = this.redis.isCluster ? entries.map((entry) => [entry]) : [entries];
    for (const call of calls) {
      const { keys, args } = recordShardsCall(
        call.map((e) => e.batch),
        (shard) => this.pending[shard],
        this.dedupeSeconds,
      );
      runScript(this.redis, RECORD_SHARDS_SCRIPT, keys, args).then(
        (flags) =>
          call.forEach((entry, i) => {
            const shardFlags = String((flags as unknown[])[i] ?? '');
            for (const w of entry.waiters) w.resolve(countDuplicates(shardFlags, ...w.range));
          }),
        // Nothing of this call was counted, or Redis cannot say: its callers get the error (and may retry with ids).
        (error: unknown) => call.forEach((entry) => entry.waiters.forEach((w) => w.reject(error))),
      );
    }
  }
}
