/**
 * In-memory "current truth" of the Stripe stand-in: every object by id, tombstones for deleted
 * customers/products, and Stripe-style cursor pagination (newest first) with per-resource filters.
 */
import { invalidRequest, resourceMissing } from './errors';
import { typeOfId } from './resources';
import {
  billingFilters,
  created,
  createdFilter,
  fieldFilters,
  typeMatcher,
  type Check,
  type Stored,
} from './store-filters';
import type { StripeObject } from './util';

/** Object types whose retrieve answers `{ id, object, deleted: true }` once deleted. */
const TOMBSTONE_TYPES = new Set(['customer', 'product']);

interface Entry extends Stored {
  seq: number;
  deleted: boolean;
}

/** A list page as Stripe returns it. */
export interface ListPage {
  object: 'list';
  data: StripeObject[];
  has_more: boolean;
  url: string;
}

/** Keeps objects by id; lists are computed per object type, newest first. */
export class ObjectStore {
  private readonly entries = new Map<string, Entry>();
  private readonly undelivered = new Set<string>();
  private seq = 0;
  /** Sorted ids per type, rebuilt lazily after a change of that type. */
  private readonly sorted = new Map<string, { ids: string[]; index: Map<string, number> }>();

  /**
   * Stores (or replaces) an object; a replaced object keeps its list position. `owner` is the
   * customer an object without a `customer` field belongs to (active entitlements).
   */
  put(obj: StripeObject, owner?: string): void {
    const prev = this.entries.get(obj.id);
    const copy = structuredClone(obj);
    if (copy.object === 'event' && '_undelivered' in copy) {
      if (copy._undelivered === true) this.undelivered.add(copy.id);
      else this.undelivered.delete(copy.id);
      delete copy._undelivered;
    }
    this.entries.set(obj.id, { obj: copy, owner, seq: prev?.seq ?? ++this.seq, deleted: false });
    this.invalidate(copy.object);
    if (prev && prev.obj.object !== copy.object) this.invalidate(prev.obj.object);
  }

  /** A copy of the stored object (undefined when unknown or removed; tombstones included). */
  get(id: string): StripeObject | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    return e.deleted ? { id, object: e.obj.object, deleted: true } : structuredClone(e.obj);
  }

  /** Customers/products become tombstones; anything else is removed. */
  markDeleted(id: string): void {
    const e = this.entries.get(id);
    const type = e?.obj.object ?? typeOfId(id);
    if (!type) throw new Error(`markDeleted: unknown object ${id}`);
    if (!TOMBSTONE_TYPES.has(type)) {
      this.remove(id);
      return;
    }
    this.entries.set(id, { obj: e?.obj ?? { id, object: type }, seq: e?.seq ?? ++this.seq, deleted: true });
    this.invalidate(type);
  }

  /** Forgets an object entirely (retrieve answers 404 afterwards). */
  remove(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.undelivered.delete(id);
    this.invalidate(e.obj.object);
  }

  /** Removes every object of `type` put for `owner`. */
  removeOwned(type: string, owner: string): void {
    for (const [id, e] of this.entries) if (e.obj.object === type && e.owner === owner) this.remove(id);
  }

  /** Marks an event as (un)delivered for `delivery_success` filtering. */
  setUndelivered(id: string, undelivered: boolean): void {
    if (undelivered) this.undelivered.add(id);
    else this.undelivered.delete(id);
  }

  clear(): void {
    this.entries.clear();
    this.undelivered.clear();
    this.sorted.clear();
  }

  /** All live (not deleted) objects of a type, newest first. */
  all(type: string): StripeObject[] {
    return this.order(type).ids.map((id) => structuredClone(this.entries.get(id)!.obj));
  }

  /** GET /v1/<resource>/<id>: the object, a tombstone, or a 404 error thrown. */
  retrieve(type: string, id: string): StripeObject {
    const e = this.entries.get(id);
    if (!e || e.obj.object !== type) throw resourceMissing(type, id);
    return e.deleted ? { id, object: type, deleted: true } : e.obj;
  }

  /** True when a live object of that type exists. */
  exists(type: string, id: string): boolean {
    const e = this.entries.get(id);
    return !!e && !e.deleted && e.obj.object === type;
  }

  /**
   * One list page with `limit`, `starting_after`, `ending_before`, `created`, the type's own filters
   * and equality on the `fields` the resource table names.
   */
  list(type: string, params: Record<string, unknown>, url: string, fields: string[] = []): ListPage {
    const limit = params.limit === undefined ? 10 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw invalidRequest('Invalid integer: limit must be between 1 and 100.', 'limit', 'parameter_invalid_integer');
    }
    const { ids, index } = this.order(type);
    const match = this.filter(type, params, fields);
    const after = typeof params.starting_after === 'string' ? params.starting_after : undefined;
    const before = typeof params.ending_before === 'string' ? params.ending_before : undefined;
    const cursor = after ?? before;
    const pos = cursor === undefined ? -1 : index.get(cursor);
    if (pos === undefined) throw resourceMissing(type, cursor!, after ? 'starting_after' : 'ending_before', 400);
    const found: StripeObject[] = [];
    const step = before !== undefined && after === undefined ? -1 : 1;
    for (let i = step === 1 ? pos + 1 : pos - 1; i >= 0 && i < ids.length && found.length <= limit; i += step) {
      const e = this.entries.get(ids[i])!;
      if (match(e)) found.push(e.obj);
    }
    const has_more = found.length > limit;
    const data = found.slice(0, limit);
    if (step === -1) data.reverse();
    return { object: 'list', data, has_more, url };
  }

  private invalidate(type: string): void {
    this.sorted.delete(type);
  }

  private order(type: string): { ids: string[]; index: Map<string, number> } {
    let o = this.sorted.get(type);
    if (!o) {
      const live = [...this.entries.values()].filter((e) => e.obj.object === type && !e.deleted);
      live.sort((a, b) => created(b.obj) - created(a.obj) || b.seq - a.seq);
      const ids = live.map((e) => e.obj.id);
      o = { ids, index: new Map(ids.map((id, i) => [id, i])) };
      this.sorted.set(type, o);
    }
    return o;
  }

  private filter(type: string, p: Record<string, unknown>, fields: string[]): (e: Entry) => boolean {
    const checks: Check[] = [...billingFilters(type, p), ...fieldFilters(fields, p)];
    if (p.created !== undefined) checks.push(createdFilter(p.created));
    if (type === 'event') checks.push(...this.eventChecks(p));
    return (e) => checks.every((c) => c(e));
  }

  private eventChecks(p: Record<string, unknown>): Check[] {
    const checks: Check[] = [];
    if (typeof p.type === 'string') checks.push(typeMatcher([p.type]));
    if (Array.isArray(p.types)) checks.push(typeMatcher(p.types.filter((t): t is string => typeof t === 'string')));
    if (p.delivery_success === 'false') checks.push(({ obj }) => this.undelivered.has(obj.id));
    if (p.delivery_success === 'true') checks.push(({ obj }) => !this.undelivered.has(obj.id));
    return checks;
  }
}
