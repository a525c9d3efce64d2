/** Claiming, reading and releasing batches of usage in Redis (the drain's side of keys.ts). */
import { randomBytes } from 'node:crypto';
import type { RedisConnection } from '../runtime/redis';
import { decodeField, FIELD_SEPARATOR, UsageCell, usageKeys, UsageKeys } from './keys';
import { CLAIM_SCRIPT, PENDING_REACHED_SCRIPT } from './scripts';

export interface OpenClaim {
  id: string;
  /** Claim time, ms. */
  claimedAt: number;
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

/**
 * A fresh claim id: `<ms>-w<window seconds>-<random>`. The window size travels with the claim, so a
 * claim resumed after USAGE_WINDOW_SECONDS changed still yields the same events and identifiers.
 */
export function newClaimId(nowMs: number, windowSeconds: number): string {
  return `${nowMs}-w${windowSeconds}-${randomBytes(6).toString('hex')}`;
}

/** The window size a claim was made with (see newClaimId). */
export function claimWindowSeconds(claimId: string, fallback: number): number {
  const m = /^\d+-w(\d+)-/.exec(claimId);
  return m ? Number(m[1]) : fallback;
}

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

export class UsageStore {
  readonly keys: UsageKeys;

  constructor(
    private readonly redis: RedisConnection,
    keyPrefix: string,
  ) {
    this.keys = usageKeys(keyPrefix);
  }

  /**
   * Claims what is pending — everything, or `only` some customers' cells for an invoice flush —
   * and lists every open claim, oldest first: claims left by a crashed or failed drain come back
   * here and are resumed.
   */
  async claim(windowSeconds: number, only?: FlushClaim, nowMs = Date.now()): Promise<OpenClaim[]> {
    const id = newClaimId(nowMs, windowSeconds);
    const keys = [this.keys.pending, this.keys.claims, this.keys.claim(id), this.keys.flush];
    const args: Array<string | number> = only
      ? ['fields', only.settles.length, ...only.settles, ...(await this.pendingFieldsOf(only.customers))]
      : ['all'];
    const flat = (await this.redis.eval(CLAIM_SCRIPT, keys.length, ...keys, id, nowMs, ...args)) as string[];
    const open: OpenClaim[] = [];
    for (let i = 0; i < flat.length; i += 2) open.push({ id: flat[i], claimedAt: Number(flat[i + 1]) });
    return open;
  }

  /** Asks the next invoice flush to send `customer`'s pending usage (see usage/invoice-flush.ts). */
  async requestFlush(customer: string, subscription: string): Promise<void> {
    await this.redis.sadd(this.keys.flush, `${customer}${FIELD_SEPARATOR}${subscription}`);
  }

  /** The invoice flushes waiting in the flush set. */
  async flushRequests(): Promise<FlushRequest[]> {
    return (await this.redis.smembers(this.keys.flush)).map((member) => {
      const [customer, subscription = ''] = member.split(FIELD_SEPARATOR);
      return { member, customer, subscription };
    });
  }

  /**
   * The pending fields of `customers`, found with HSCAN page by page: each call holds Redis for well
   * under a millisecond, where one scan inside the claim script held it ~50 ms at 100,000 cells. A
   * field created after the scan passed it simply stays pending for the next drain.
   */
  private async pendingFieldsOf(customers: ReadonlySet<string>): Promise<string[]> {
    if (customers.size === 0) return [];
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.pending, cursor, 'COUNT', 1000);
      for (let i = 0; i < flat.length; i += 2) {
        const field = flat[i];
        const end = field.indexOf(FIELD_SEPARATOR);
        if (end > 0 && customers.has(field.slice(0, end))) found.add(field);
      }
      cursor = next;
    } while (cursor !== '0');
    return [...found];
  }

  /** The cells of one claim (unchanged until it is released). */
  async read(claimId: string): Promise<ClaimContents> {
    const raw = await this.redis.hgetall(this.keys.claim(claimId));
    const contents: ClaimContents = { cells: [], invalid: [] };
    for (const [field, value] of Object.entries(raw)) {
      const cell = decodeField(field);
      if (cell && /^-?\d{1,19}$/.test(value)) contents.cells.push({ ...cell, value });
      else contents.invalid.push([field, value]);
    }
    return contents;
  }

  /** Forgets a claim Stripe fully accepted; unparseable fields move to the `invalid` hash. */
  async release(claimId: string, invalid: ClaimContents['invalid'] = []): Promise<void> {
    const tx = this.redis.multi();
    for (const [field, value] of invalid) tx.hset(this.keys.invalid, `${claimId}|${field}`, value);
    tx.del(this.keys.claim(claimId));
    tx.zrem(this.keys.claims, claimId);
    await tx.exec();
  }

  /** True when pending usage adds up to at least `threshold` units. */
  async pendingReached(threshold: number): Promise<boolean> {
    return (await this.redis.eval(PENDING_REACHED_SCRIPT, 1, this.keys.pending, threshold)) === 1;
  }
}
