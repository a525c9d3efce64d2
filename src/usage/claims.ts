/** Claiming, reading and releasing batches of usage in Redis, shard by shard (the drain's side of keys.ts). */
import { randomBytes } from 'node:crypto';
import { decodeField, DRAIN_NAMESPACES, FIELD_SEPARATOR, UsageCell, customerKeys, usageKeys, UsageKeys } from './keys';
import type { RedisConnection } from '../runtime/redis';
import { runScript } from '../runtime/run-script';
import { CLAIM_SCRIPT, PENDING_TOTAL_SCRIPT } from './scripts';

export interface OpenClaim {
  id: string;
  /** Claim time, ms. */
  claimedAt: number;
  /** The keys of the shard (or legacy namespace) holding it. */
  keys: UsageKeys;
}

export interface ClaimedCell extends UsageCell {
  /** Decimal integer string (can exceed 2^53 after many increments). */
  value: string;
}

export interface ClaimContents {
  cells: ClaimedCell[];
  /** Raw fields that do not follow the layout or hold a non-integer; set aside, never sent. */
  invalid: Array<[field: string, value: string]>;
}

/** Fields per HSCAN page of a claim: the drain holds one page (plus its events) at a time. */
export const CLAIM_PAGE_SIZE = 1000;
/** How long a released claim stays listed in `released` (the usage query's rule needs 2 × its 10 minutes). */
export const RELEASED_KEEP_MS = 20 * 60_000;

/**
 * A fresh claim id: `<ms>-w<window seconds>-p<random>`. The window size travels with the claim, so a
 * claim resumed after USAGE_WINDOW_SECONDS changed still yields the same events and identifiers;
 * `p` marks a claim read page by page (ids made before paging have none: see plan.ts).
 */
export function newClaimId(nowMs: number, windowSeconds: number): string {
  return `${nowMs}-w${windowSeconds}-p${randomBytes(6).toString('hex')}`;
}

/** The window size a claim was made with (see newClaimId). */
export function claimWindowSeconds(claimId: string, fallback: number): number {
  const m = /^\d+-w(\d+)-/.exec(claimId);
  return m ? Number(m[1]) : fallback;
}

/** When a claim was made (ms), from its id; 0 when the id does not say. */
export const claimTimeMs = (claimId: string): number => Number(/^(\d+)-/.exec(claimId)?.[1] ?? 0);

/** True for claims sent page by page (made by this version); older ones are read whole. */
export const isPagedClaim = (claimId: string): boolean => /^\d+-w\d+-p/.test(claimId);

/** An `invoice.created` that asked for a flush: flush-set member `<customer>|<subscription>`. */
export interface FlushRequest {
  member: string;
  customer: string;
  subscription: string;
}

/** What an invoice-flush claim takes: these customers' cells; it settles these flush-set members. */
export interface FlushClaim {
  customers: ReadonlySet<string>;
  settles: readonly string[];
}

/**
 * Why the drain's per-cell and per-event records are class instances, never object literals or
 * `{ ...cell, value }` (BENCHMARKS.md 3b): on Node 20 (V8 11) a spread plus a property makes a
 * fresh hidden class per object in the old generation, and after one unlucky scavenge V8 may
 * allocate every later object of an object literal straight in the old generation ("pretenuring").
 * Either way the records and the young strings they hold stayed until a full GC, and the worker's
 * peak RSS grew with the claim (about one run in two). `new` has no allocation site to pretenure.
 */
class Cell implements ClaimedCell {
  constructor(
    readonly customer: string,
    readonly meter: string,
    readonly windowStart: number,
    readonly value: string,
  ) {}
}

export const claimedCell = (customer: string, meter: string, windowStart: number, value: string): ClaimedCell => new Cell(customer, meter, windowStart, value);

/** A cell's value: a decimal integer that fits a PostgreSQL bigint (one RegExp for all calls). */
const CELL_VALUE = /^-?\d{1,19}$/;

/** Splits a page of `field, value, …` into cells and fields set aside. */
export function parseCells(flat: readonly string[]): ClaimContents {
  const contents: ClaimContents = { cells: [], invalid: [] };
  const seen = new Set<string>();
  for (let i = 0; i < flat.length; i += 2) {
    const field = flat[i];
    const value = flat[i + 1];
    if (seen.has(field)) continue; // HSCAN may return a field twice
    seen.add(field);
    const cell = decodeField(field);
    if (cell && CELL_VALUE.test(value)) contents.cells.push(claimedCell(cell.customer, cell.meter, cell.windowStart, value));
    else contents.invalid.push([field, value]);
  }
  return contents;
}

export class UsageStore {
  constructor(
    private readonly redis: RedisConnection,
    readonly keyPrefix: string,
  ) {}

  /** The keys of every namespace a drain visits, legacy first, then shard by shard. */
  namespaces(): UsageKeys[] {
    return DRAIN_NAMESPACES.map((ns) => usageKeys(this.keyPrefix, ns));
  }

  /**
   * Claims what is pending in one shard — everything, or `only` some customers' cells for an
   * invoice flush — and lists that shard's open claims, oldest first: claims left by a crashed or
   * failed drain come back here and are resumed.
   */
  async claim(keys: UsageKeys, windowSeconds: number, only?: FlushClaim, nowMs = Date.now()): Promise<OpenClaim[]> {
    const id = newClaimId(nowMs, windowSeconds);
    const scriptKeys = [keys.pending, keys.claims, keys.claim(id), keys.flush];
    const args: Array<string | number> = only
      ? ['fields', only.settles.length, ...only.settles, ...(await this.pendingFieldsOf(keys, only.customers))]
      : ['all'];
    const flat = (await runScript(this.redis, CLAIM_SCRIPT, scriptKeys, [id, nowMs, ...args])) as string[];
    const open: OpenClaim[] = [];
    for (let i = 0; i < flat.length; i += 2) open.push({ id: flat[i], claimedAt: Number(flat[i + 1]), keys });
    return open;
  }

  /** Asks the next invoice flush to send `customer`'s pending usage (invoice-flush.ts); touches its shard only. */
  async requestFlush(customer: string, subscription: string): Promise<void> {
    await this.redis.sadd(customerKeys(this.keyPrefix, customer).flush, `${customer}${FIELD_SEPARATOR}${subscription}`);
  }

  /** The invoice flushes waiting in one shard's flush set. */
  async flushRequests(keys: UsageKeys): Promise<FlushRequest[]> {
    return (await this.redis.smembers(keys.flush)).map((member) => {
      const [customer, subscription = ''] = member.split(FIELD_SEPARATOR);
      return { member, customer, subscription };
    });
  }

  /**
   * The pending fields of `customers` in one shard, found with HSCAN page by page: each call holds
   * Redis for well under a millisecond. A field created after the scan passed it stays pending for
   * the next drain.
   */
  private async pendingFieldsOf(keys: UsageKeys, customers: ReadonlySet<string>): Promise<string[]> {
    if (customers.size === 0) return [];
    const found = new Set<string>();
    for await (const flat of this.scan(keys.pending)) {
      for (let i = 0; i < flat.length; i += 2) {
        const end = flat[i].indexOf(FIELD_SEPARATOR);
        if (end > 0 && customers.has(flat[i].slice(0, end))) found.add(flat[i]);
      }
    }
    return [...found];
  }

  private async *scan(key: string): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(key, cursor, 'COUNT', CLAIM_PAGE_SIZE);
      if (flat.length) yield flat;
      cursor = next;
    } while (cursor !== '0');
  }

  /**
   * The cells of one claim (unchanged until it is released), page by page, so memory does not grow
   * with the claim. A field may come twice (HSCAN); pre-paging claims come as one page.
   */
  async *pages(claim: OpenClaim): AsyncGenerator<ClaimContents> {
    if (!isPagedClaim(claim.id)) {
      const raw = await this.redis.hgetall(claim.keys.claim(claim.id));
      yield parseCells(Object.entries(raw).flat());
      return;
    }
    for await (const flat of this.scan(claim.keys.claim(claim.id))) yield parseCells(flat);
  }

  /** Forgets a claim Stripe fully accepted (listed in `released` for a while); unparseable fields move to `invalid`. */
  async release(claim: OpenClaim, invalid: ClaimContents['invalid'] = [], nowMs = Date.now()): Promise<void> {
    const { keys } = claim;
    const tx = this.redis.multi();
    for (const [field, value] of invalid) tx.hset(keys.invalid, `${claim.id}|${field}`, value);
    tx.del(keys.claim(claim.id));
    tx.zrem(keys.claims, claim.id);
    tx.zadd(keys.released, nowMs, claim.id);
    tx.zremrangebyscore(keys.released, '-inf', nowMs - RELEASED_KEEP_MS);
    await tx.exec();
  }

  /** True when pending usage, over every shard, adds up to at least `threshold` units. */
  async pendingReached(threshold: number): Promise<boolean> {
    let left = threshold;
    for (const keys of this.namespaces()) {
      left -= Number(await runScript(this.redis, PENDING_TOTAL_SCRIPT, [keys.pending], [left]));
      if (left <= 0) return true;
    }
    return false;
  }
}
