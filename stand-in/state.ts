/**
 * The in-process API of the Stripe stand-in (what tests, demo, bench and chaos call directly, and
 * what the /_stand-in/ control routes wrap): the object store, meter events, the request log,
 * faults and latency. StripeStandIn (./server.ts) adds the HTTP server around it.
 */
import type { Reply } from './errors';
import { FaultInjector, type FaultOptions } from './faults';
import type { MeterBehaviour } from './meter-control';
import type { ThinDelivery, ThinDestination } from './meter-reports';
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
    this.meters = new MeterService(this.store, meterSessionTtlMs);
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

  /** Meter events whose customer Stripe "cannot map" fail validation (`meter_event_customer_not_found`). */
  refuseMeterCustomer(customer: string): void {
    this.meters.validation.refusedCustomers.add(customer);
  }

  /** The customer can be mapped again (its events count from now on). */
  acceptMeterCustomer(customer: string): void {
    this.meters.validation.refusedCustomers.delete(customer);
  }

  /** Silently loses each valid meter event from now on with probability `fraction` (0 stops). */
  setMeterLoss(fraction: number, seed?: number): void {
    this.meters.validation.setLoss(fraction, seed);
  }

  setMeterBehaviour(b: MeterBehaviour): void {
    if (b.requireMeters !== undefined) this.meters.validation.requireMeters = b.requireMeters;
    if (b.summaryLagMs !== undefined) this.meters.summaryLagMs = b.summaryLagMs;
    const options = this.meters.reports.options;
    if (b.sampleLimit !== undefined) options.sampleLimit = b.sampleLimit;
    if (b.sampleShape !== undefined) options.sampleShape = b.sampleShape;
    if (b.reportDelayMs !== undefined) options.delayMs = b.reportDelayMs;
  }

  /** Where thin event notifications are POSTed, signed with `secret` (undefined: nowhere). */
  setThinEventDestination(destination: ThinDestination | undefined): void {
    this.meters.reports.destination = destination;
  }

  /** Stripe's 24-hour identifier window has passed for every meter event sent so far. */
  forgetMeterIdentifiers(): void {
    this.meters.forgetIdentifiers();
  }

  /** Makes the error reports of the rejections gathered so far now, instead of after `reportDelayMs`. */
  flushMeterReports(): Array<Record<string, unknown>> {
    return this.meters.reports.flush();
  }

  /** Every thin event made (full shape, as `GET /v2/core/events/:id` answers), oldest first. */
  get thinEvents(): ReadonlyArray<Record<string, unknown> & { id: string; type: string }> {
    return this.meters.reports.events;
  }

  /** Each delivery attempt of a thin notification to the destination. */
  get thinDeliveries(): readonly ThinDelivery[] {
    return this.meters.reports.deliveries;
  }

  /** Valid meter events lost on purpose (setMeterLoss). */
  get lostMeterEvents(): readonly MeterEventRecord[] {
    return this.meters.lost;
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
