/**
 * The in-process API of the Stripe stand-in (what tests, demo, bench and chaos call directly, and
 * what the /_stand-in/ control routes wrap): the object store, meter events, the request log,
 * faults and latency. StripeStandIn (./server.ts) adds the HTTP server around it.
 */
import type { Reply } from './errors';
import { FaultInjector, type FaultOptions } from './faults';
import { MeterService, type MeterEventRecord, type MeterEventRejection } from './meters';
import { activeEntitlement, type EntitlementSpec } from './other-objects';
import { requestPredicate, type RecordedRequest, type RequestFilter } from './requests';
import { ObjectStore } from './store';
import type { StripeObject } from './util';

export class StandInState {
  /** Every request received, in order (faulted and unexpected ones included; control requests not). */
  readonly requests: RecordedRequest[] = [];
  /** `"METHOD /path"` of every request no route knew. */
  readonly unexpected: string[] = [];
  /** Parsed params of every Customer Portal session created. */
  readonly portalSessions: Array<Record<string, unknown>> = [];
  protected readonly store = new ObjectStore();
  protected readonly meters: MeterService;
  protected readonly idempotency = new Map<string, { fingerprint: string; reply: Reply }>();
  protected readonly faults = new FaultInjector();
  protected latencyMs = 0;

  constructor(meterSessionTtlMs?: number) {
    this.meters = new MeterService(meterSessionTtlMs);
  }

  /** Stores (or replaces) any Stripe object with `id` and `object`. Events may carry `_undelivered: true`. */
  put(obj: { id: string; object: string }): void {
    this.store.put(obj as StripeObject);
  }

  /** A copy of the stored object; a deleted customer/product reads `{ id, object, deleted: true }`. */
  get<T = StripeObject>(id: string): T | undefined {
    return this.store.get(id) as T | undefined;
  }

  /** Customers/products: retrieve answers `{ id, object, deleted: true }`; other types: removed (404). */
  markDeleted(id: string): void {
    this.store.markDeleted(id);
  }

  /** Forgets an object; retrieve answers 404 afterwards. */
  remove(id: string): void {
    this.store.remove(id);
  }

  /**
   * Adds an event for `GET /v1/events`. It counts as undelivered (`delivery_success=false`) when
   * `opts.delivered === false` or the event carries `_undelivered: true` (stripped from output).
   */
  addEvent(
    event: { id: string; type: string; created: number; object?: string; _undelivered?: boolean },
    opts: { delivered?: boolean } = {},
  ): void {
    this.store.put({ object: 'event', ...event } as StripeObject);
    if (opts.delivered !== undefined) this.store.setUndelivered(event.id, !opts.delivered);
  }

  /**
   * Replaces the active entitlements of `customer` served by `GET /v1/entitlements/active_entitlements`
   * (specs become `entitlements.active_entitlement` objects); returns the stored objects.
   */
  setEntitlements(customer: string, entitlements: Array<EntitlementSpec | StripeObject>): StripeObject[] {
    this.store.removeOwned('entitlements.active_entitlement', customer);
    const objects = entitlements.map((e) => ('object' in e ? (e as StripeObject) : activeEntitlement(e)));
    for (const e of objects) this.store.put(e, customer);
    return objects;
  }

  /** All live objects of one type (e.g. `'subscription'`), newest first. */
  list<T = StripeObject>(type: string): T[] {
    return this.store.all(type) as T[];
  }

  /** Meter events Stripe accepted (v1 and v2), in arrival order. */
  get meterEvents(): readonly MeterEventRecord[] {
    return this.meters.events;
  }

  /** Meter events accepted on the wire but failing validation (Stripe reports them asynchronously). */
  get meterEventRejections(): readonly MeterEventRejection[] {
    return this.meters.rejected;
  }

  /** v2 stream events dropped because their identifier had been seen before. */
  get droppedDuplicateMeterEvents(): number {
    return this.meters.droppedDuplicates;
  }

  /** Sum of numeric `value` per `${stripe_customer_id}|${event_name}` over accepted meter events. */
  meterTotals(): Map<string, number> {
    return this.meters.totals();
  }

  /** Lifetime of meter event session tokens created from now on. */
  setMeterSessionTtl(ms: number): void {
    this.meters.sessionTtlMs = ms;
  }

  /** Expires every meter event session token issued so far. */
  expireMeterSessions(): void {
    this.meters.expireSessions();
  }

  /** Counts recorded requests matching a predicate or `{ method, pathPrefix }`. */
  countRequests(filter: RequestFilter): number {
    return this.requests.filter(requestPredicate(filter)).length;
  }

  /** Empties the request log and the unexpected list. */
  resetRequests(): void {
    this.requests.length = 0;
    this.unexpected.length = 0;
  }

  /** Back to an empty stand-in: store, meters, logs, portal sessions, faults and latency. */
  reset(): void {
    this.store.clear();
    this.meters.clear();
    this.idempotency.clear();
    this.portalSessions.length = 0;
    this.resetRequests();
    this.clearFaults();
    this.latencyMs = 0;
  }

  /** Injects faults; a faulted request has no effect at all. Seeded → deterministic sequence. */
  setFaults(opts: FaultOptions): void {
    this.faults.set(opts);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Number of faults injected since the last `clearFaults()`/`reset()`. */
  get faultsInjected(): number {
    return this.faults.injected;
  }

  /** Delays every response by `ms`. */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }
}
