/**
 * The api process's in-memory cache of access answers and entitlements, so the product can ask on
 * every request it serves without a database read each time. It is only ever used while it is
 * known to be told every committed change (the change feed, change-feed.ts, is `live`);
 * otherwise every call reads PostgreSQL.
 *
 *   miss ──load (single flight)──> entry ──TTL runs out / LRU full──> gone
 *                                    └──the feed names the customer (or is lost)──> gone
 *
 * A load that was running when its customer was invalidated answers its own caller but is not
 * kept, and later callers do not join it: a read that began before a commit must never outlive
 * the invalidation that commit sent.
 */

/** What is cached per customer: the stored access state and, once asked for, the entitlements. */
export interface CachedAccess<S> {
  state?: S;
  features?: ReadonlySet<string>;
}

export interface AccessCacheOptions {
  /** How long an entry may be served at most (a safety net: changes invalidate it sooner). */
  ttlMs: number;
  /** Most customers held; the least recently used one goes first. */
  maxEntries: number;
  now?: () => number;
}

interface Entry<S> extends CachedAccess<S> {
  expiresAt: number;
}

interface Pending {
  stale: boolean;
}

export class AccessCache<S> {
  private readonly entries = new Map<string, Entry<S>>();
  private readonly loading = new Map<string, Map<keyof CachedAccess<S>, Pending & { promise: Promise<unknown> }>>();
  private live = false;
  private readonly now: () => number;
  /** Calls answered from memory, by a read, and by a read because the cache was not live (metrics). */
  readonly reads = { hit: 0, miss: 0, bypass: 0 };

  constructor(private readonly options: AccessCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether entries may be served and kept (the change feed is following every change). */
  get isLive(): boolean {
    return this.live && this.options.ttlMs > 0;
  }

  /** Called by the change feed: true once it follows every change, false (and all dropped) when it lost track. */
  setLive(live: boolean): void {
    if (!live) this.clear();
    this.live = live;
  }

  /** The cached `part` of a customer, or loads it with `load` (one load per customer and part at a time). */
  async get<K extends keyof CachedAccess<S>>(
    customer: string,
    part: K,
    load: () => Promise<NonNullable<CachedAccess<S>[K]>>,
  ): Promise<NonNullable<CachedAccess<S>[K]>> {
    if (!this.isLive) {
      this.reads.bypass++;
      return load();
    }
    const entry = this.entries.get(customer);
    if (entry && entry.expiresAt > this.now() && entry[part] !== undefined) {
      this.reads.hit++;
      // Map order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(customer);
      this.entries.set(customer, entry);
      return entry[part] as NonNullable<CachedAccess<S>[K]>;
    }
    this.reads.miss++;
    const running = this.loading.get(customer)?.get(part);
    if (running && !running.stale) return running.promise as Promise<NonNullable<CachedAccess<S>[K]>>;
    return this.load(customer, part, load);
  }

  /** Drops what is held for `customers` and disowns their running loads. */
  invalidate(customers: Iterable<string>): void {
    for (const customer of customers) {
      this.entries.delete(customer);
      const running = this.loading.get(customer);
      if (running) for (const pending of running.values()) pending.stale = true;
      this.loading.delete(customer);
    }
  }

  clear(): void {
    this.entries.clear();
    for (const running of this.loading.values()) for (const pending of running.values()) pending.stale = true;
    this.loading.clear();
  }

  private async load<K extends keyof CachedAccess<S>>(
    customer: string,
    part: K,
    load: () => Promise<NonNullable<CachedAccess<S>[K]>>,
  ): Promise<NonNullable<CachedAccess<S>[K]>> {
    const pending: Pending & { promise: Promise<unknown> } = { stale: false, promise: Promise.resolve() };
    const parts = this.loading.get(customer) ?? new Map();
    this.loading.set(customer, parts);
    // The TTL counts from before the read, so an entry never outlives a change by more than the TTL.
    const startedAt = this.now();
    const promise = load();
    pending.promise = promise;
    parts.set(part, pending);
    try {
      const value = await promise;
      if (!pending.stale && this.live) this.keep(customer, part, value, startedAt + this.options.ttlMs);
      return value;
    } finally {
      if (parts.get(part) === pending) parts.delete(part);
      if (parts.size === 0 && this.loading.get(customer) === parts) this.loading.delete(customer);
    }
  }

  private keep<K extends keyof CachedAccess<S>>(
    customer: string,
    part: K,
    value: CachedAccess<S>[K],
    expiresAt: number,
  ): void {
    const entry = this.entries.get(customer);
    // Two parts loaded at different times expire with the older one.
    const merged: Entry<S> =
      entry && entry.expiresAt > this.now()
        ? { ...entry, [part]: value, expiresAt: Math.min(entry.expiresAt, expiresAt) }
        : ({ [part]: value, expiresAt } as Entry<S>);
    this.entries.delete(customer);
    this.entries.set(customer, merged);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
