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
import { decodeField, encodeField, usageKeys } from './keys';
import { addEvents, byShard, countDuplicates, emptyBatch, recordShardsCall, type ShardBatch } from './record-batches';
import type { RedisConnection } from '../runtime/redis';
import { runScript } from '../runtime/run-script';
import { RECORD_SHARDS_SCRIPT } from './scripts';
import { ALL_SHARDS } from './shard';
import { validateEvents, type UsageEvent, type ValidEvent } from './validate';
import { DEFAULT_WINDOW_SECONDS, isValidWindow, windowStart } from './window';

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

/** One `record` call: its validated events, in order (a refusal names one of them). */
interface Caller {
  events: readonly ValidEvent[];
}

/** A caller's share of one shard: its events there and where they sit in the shard's batch. */
interface Waiter {
  caller: Caller;
  shard: number;
  events: readonly ValidEvent[];
  range: [number, number];
  resolve(duplicates: number): void;
  reject(error: unknown): void;
}

type Entry = { batch: ShardBatch; waiters: Waiter[] };

/** The field a record script refused (scripts.ts: `USAGE_OVERFLOW <field>`, `USAGE_VALUE <field>`), if that is what `error` is. */
const refusedField = (error: unknown): string | undefined =>
  /^USAGE_(?:OVERFLOW|VALUE) (\S+)/.exec(error instanceof Error ? error.message : '')?.[1];

export class UsageClient {
  private readonly redis: RedisConnection;
  private readonly keyPrefix: string;
  private readonly windowSeconds: number;
  private readonly dedupeSeconds: number;
  private readonly now: () => number;
  /** Pending hash of each shard, by shard number. */
  private readonly pending: readonly string[];
  /** Calls of the current tick, per shard; sent together on the next turn of the event loop. */
  private queued = new Map<number, Entry>();

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
   *
   * A counter never exceeds 2^53 − 1: an event that would take it further refuses the call with a
   * {@link UsageValidationError} naming that event, and nothing of the call is written (on a
   * cluster, nothing of that shard). Calls coalesced with it are not refused for it: they are sent
   * again, each on its own.
   */
  async record(events: UsageEvent | readonly UsageEvent[]): Promise<RecordResult> {
    const list = Array.isArray(events) ? events : [events];
    const checked = validateEvents(list, this.now());
    if (!checked.ok) throw new UsageValidationError(checked.error);
    const accepted = checked.value.length;
    const caller: Caller = { events: checked.value };
    const groups = byShard(checked.value);
    // One shard (every single event): no Promise.all on the hot path.
    if (groups.size === 1) {
      const [[shard, group]] = groups;
      return { accepted, duplicates: await this.enqueue(caller, shard, group) };
    }
    const parts = [...groups].map(([shard, group]) => this.enqueue(caller, shard, group));
    const duplicates = (await Promise.all(parts)).reduce((a, b) => a + b, 0);
    return { accepted, duplicates };
  }

  private enqueue(caller: Caller, shard: number, events: readonly ValidEvent[]): Promise<number> {
    if (this.queued.size === 0) setImmediate(() => this.flush());
    let entry = this.queued.get(shard);
    if (!entry) this.queued.set(shard, (entry = { batch: emptyBatch(shard), waiters: [] }));
    const range = addEvents(entry.batch, events, this.keyPrefix, this.windowSeconds);
    const waiters = entry.waiters;
    return new Promise((resolve, reject) => waiters.push({ caller, shard, events, range, resolve, reject }));
  }

  private flush(): void {
    const entries = [...this.queued.values()];
    this.queued = new Map();
    this.sendAll(entries, true);
  }

  /** A single Redis takes every shard in one script call; a cluster one call per shard (one slot each). */
  private sendAll(entries: Entry[], coalesced: boolean): void {
    for (const call of this.redis.isCluster ? entries.map((entry) => [entry]) : [entries]) this.send(call, coalesced);
  }

  private send(call: Entry[], coalesced: boolean): void {
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
      (error: unknown) => {
        const waiters = call.flatMap((entry) => entry.waiters);
        const field = refusedField(error);
        // Refused before any write: the callers coalesced with the one to blame try again on their own.
        if (field !== undefined && coalesced && new Set(waiters.map((w) => w.caller)).size > 1)
          return this.sendEachCaller(waiters);
        // Nothing of this call was counted, or Redis cannot say: its callers get the error (and may retry with ids).
        for (const w of waiters) w.reject(field === undefined ? error : this.refusal(w.caller, field));
      },
    );
  }

  /** Sends each caller's waiters in calls of their own, in the order the callers came. */
  private sendEachCaller(waiters: readonly Waiter[]): void {
    const byCaller = new Map<Caller, Entry[]>();
    for (const w of waiters) {
      const batch = emptyBatch(w.shard);
      const alone = { ...w, range: addEvents(batch, w.events, this.keyPrefix, this.windowSeconds) };
      byCaller.set(w.caller, [...(byCaller.get(w.caller) ?? []), { batch, waiters: [alone] }]);
    }
    for (const entries of byCaller.values()) this.sendAll(entries, false);
  }

  /** The validation error of a refused call: the caller's first event on the refused counter. */
  private refusal(caller: Caller, field: string): UsageValidationError {
    const index = caller.events.findIndex((e) => this.fieldOf(e) === field);
    const cell = decodeField(field);
    const what = cell ? `the ${cell.meter} counter of ${cell.customer} for its window` : 'its counter';
    return new UsageValidationError(`events[${Math.max(index, 0)}].value: counting it would take ${what} past 2^53-1`);
  }

  private fieldOf(e: ValidEvent): string {
    const cell = { customer: e.customer, meter: e.meter, windowStart: windowStart(e.timestamp, this.windowSeconds) };
    return encodeField(cell);
  }
}
