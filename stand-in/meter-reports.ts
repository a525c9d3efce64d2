/**
 * Stripe's asynchronous meter error reports, as the stand-in plays them: rejected events gather for
 * `delayMs`, then one thin event per meter (`v1.billing.meter.error_report_triggered`, related
 * object the meter) and one `v1.billing.meter.no_meter_found` for events without a meter. The full
 * event (`GET /v2/core/events/:id`) holds `data.reason.error_types[]` with at most `sampleLimit`
 * `sample_errors` per code, so a report can count more errors than it shows. With a destination
 * set, the notification (the event without `data`) is POSTed there, signed like Stripe
 * (`Stripe-Signature` with the destination's `whsec_…`), and retried with backoff until a 2xx.
 */
import { signWebhook } from './events';
import { http } from './http-client';
import type { MeterEventRecord, MeterProblem } from './meter-validation';
import { randomId } from './util';

/** An event refused by validation, with the meter it was for (none: no meter found). */
export interface MeterEventRejection extends MeterProblem {
  event: MeterEventRecord;
  meterId?: string;
  /** Kept for older callers: the problem's message. */
  reason: string;
  via: 'v1' | 'v2';
}

export interface ReportOptions {
  /** Most `sample_errors` per error type (Stripe sends samples only). */
  sampleLimit: number;
  /** `identifier` (current) or the older `{ id, idempotency_key }` request shape. */
  sampleShape: 'identifier' | 'idempotency_key';
  /** How long rejections gather before their report is made. */
  delayMs: number;
}

export interface ThinDestination {
  url: string;
  secret: string;
}

/** One delivery attempt of a notification. */
export interface ThinDelivery {
  eventId: string;
  attempt: number;
  /** HTTP status, 0 when the connection failed. */
  status: number;
}

type V2Event = Record<string, unknown> & { id: string; type: string };

const MAX_ATTEMPTS = 8;
const FIRST_RETRY_MS = 250;

export class MeterErrorReports {
  readonly options: ReportOptions = { sampleLimit: 10, sampleShape: 'identifier', delayMs: 0 };
  /** Every report made, full shape (what `GET /v2/core/events/:id` answers), oldest first. */
  readonly events: V2Event[] = [];
  readonly deliveries: ThinDelivery[] = [];
  destination?: ThinDestination;
  private pending: MeterEventRejection[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private flushTimer?: NodeJS.Timeout;
  /** Bumped by close(): a delivery in flight then schedules no retry. */
  private generation = 0;

  add(rejection: MeterEventRejection): void {
    this.pending.push(rejection);
    this.flushTimer ??= this.later(() => this.flush(), this.options.delayMs);
  }

  /** Makes the reports of every rejection gathered so far (and sends their notifications). */
  flush(): V2Event[] {
    if (this.flushTimer) this.cancel(this.flushTimer);
    this.flushTimer = undefined;
    const byMeter = new Map<string, MeterEventRejection[]>();
    for (const r of this.pending) byMeter.set(r.meterId ?? '', [...(byMeter.get(r.meterId ?? '') ?? []), r]);
    this.pending = [];
    const made = [...byMeter].map(([meterId, list]) => this.report(meterId || undefined, list));
    this.events.push(...made);
    for (const e of made) void this.deliver(e, 1);
    return made;
  }

  get(id: string): V2Event | undefined {
    const e = this.events.find((x) => x.id === id);
    return e && structuredClone(e);
  }

  /** Stops every timer (pending reports are dropped, as on a reset). */
  close(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.flushTimer = undefined;
    this.pending = [];
  }

  clear(): void {
    this.close();
    this.events.length = 0;
    this.deliveries.length = 0;
    this.destination = undefined;
    Object.assign(this.options, { sampleLimit: 10, sampleShape: 'identifier', delayMs: 0 });
  }

  private report(meterId: string | undefined, list: MeterEventRejection[]): V2Event {
    const created = new Date();
    const byCode = new Map<string, MeterEventRejection[]>();
    for (const r of list) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r]);
    const errorTypes = [...byCode].map(([code, rs]) => ({
      code,
      error_count: rs.length,
      sample_errors: rs.slice(0, this.options.sampleLimit).map((r) => ({
        error_message: r.message,
        request: this.sampleRequest(r.event.identifier),
      })),
    }));
    const received = list.map((r) => r.event.receivedMs ?? r.event.created * 1000);
    return {
      id: randomId('evt_test', 24),
      object: 'v2.core.event',
      type: meterId ? 'v1.billing.meter.error_report_triggered' : 'v1.billing.meter.no_meter_found',
      created: created.toISOString(),
      livemode: false,
      ...(meterId
        ? { related_object: { id: meterId, type: 'billing.meter', url: `/v1/billing/meters/${meterId}` } }
        : {}),
      data: {
        developer_message_summary: `There ${list.length === 1 ? 'is 1 invalid event' : `are ${list.length} invalid events`}`,
        reason: { error_count: list.length, error_types: errorTypes },
        validation_start: new Date(Math.min(...received)).toISOString(),
        validation_end: created.toISOString(),
      },
    };
  }

  private sampleRequest(identifier: string): Record<string, string> {
    return this.options.sampleShape === 'identifier'
      ? { identifier }
      : { id: randomId('req', 14), idempotency_key: identifier };
  }

  /** POSTs the notification (no `data`), retrying with backoff until a 2xx or MAX_ATTEMPTS. */
  private async deliver(event: V2Event, attempt: number): Promise<void> {
    const target = this.destination;
    if (!target) return;
    const generation = this.generation;
    const notification: Record<string, unknown> = { ...event };
    delete notification.data;
    const body = JSON.stringify(notification);
    const headers = { 'content-type': 'application/json', 'stripe-signature': signWebhook(body, target.secret) };
    const status = await http('POST', target.url, { body, headers, timeoutMs: 10_000 }).then(
      (res) => res.status,
      () => 0,
    );
    this.deliveries.push({ eventId: event.id, attempt, status });
    if ((status < 200 || status > 299) && attempt < MAX_ATTEMPTS && generation === this.generation)
      this.later(() => void this.deliver(event, attempt + 1), FIRST_RETRY_MS * 2 ** (attempt - 1));
  }

  private later(run: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }
}
