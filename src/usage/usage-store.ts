/** UsageStore: claiming, reading and releasing batches of usage in Redis, shard by shard (the drain's side of keys.ts). */
import {
  CLAIM_PAGE_SIZE,
  ClaimContents,
  FlushClaim,
  FlushRequest,
  isPagedClaim,
  newClaimId,
  OpenClaim,
  parseCells,
  RELEASED_KEEP_MS,
} from './claim';
import { DRAIN_NAMESPACES, FIELD_SEPARATOR, customerKeys, indexKey, usageKeys, UsageKeys } from './keys';
import type { RedisConnection } from '../runtime/redis';
import { runScript } from '../runtime/run-script';
import { CLAIM_SCRIPT, PENDING_TOTAL_SCRIPT } from './scripts';

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
    // UNLINK: a large claim (and its index) is freed off Redis's main thread.
    tx.unlink(keys.claim(claim.id), indexKey(keys.claim(claim.id)));
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
