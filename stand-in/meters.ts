/**
 * Billing Meters in the Stripe stand-in: v2 meter event sessions + the meter event stream
 * (≤ 100 events per call, duplicate identifiers dropped silently) and the v1
 * `POST /v1/billing/meter_events` (one event; a repeated identifier → 400, should-retry false).
 * Like Stripe, the stream answers at once and validates afterwards (meter-validation.ts): a refused
 * event is reported later as a thin event (meter-reports.ts), never in the answer. What was counted
 * is readable through event summaries (meter-summaries.ts), after `summaryLagMs`.
 */
import { createHash } from 'node:crypto';
import {
  authenticationFailed,
  invalidRequest,
  meterSessionExpired,
  parameterMissing,
  resourceMissing,
  StandInError,
} from './errors';
import { MeterErrorReports, type MeterEventRejection } from './meter-reports';
import { eventSummaries } from './meter-summaries';
import { MeterValidation, timestampProblem, type MeterAccount, type MeterEventRecord } from './meter-validation';
import type { ObjectStore } from './store';
import { isRecord, nowSeconds, randomId, type StripeObject } from './util';

export type { MeterEventRecord } from './meter-validation';
export type { MeterEventRejection } from './meter-reports';

export class MeterService {
  /** Accepted and counted events, in arrival order. */
  readonly events: MeterEventRecord[] = [];
  /** Events that passed the request but failed validation (Stripe reports these as thin events). */
  readonly rejected: MeterEventRejection[] = [];
  /** Valid events the stand-in silently lost (`MeterValidation.setLoss`): never counted, never reported. */
  readonly lost: MeterEventRecord[] = [];
  readonly validation = new MeterValidation();
  readonly reports = new MeterErrorReports();
  /** How long a received event stays out of the event summaries. */
  summaryLagMs = 0;
  /** How many v2 stream events were dropped because their identifier was seen before. */
  droppedDuplicates = 0;
  /** Token lifetime of new meter event sessions. */
  sessionTtlMs: number;
  private readonly identifiers = new Set<string>();
  private readonly sessions = new Map<string, { id: string; expiresAt: number }>();
  /** Accepted events per `event_name|customer` (what one summaries call reads). */
  private readonly byPair = new Map<string, MeterEventRecord[]>();

  constructor(
    private readonly store: ObjectStore,
    sessionTtlMs = 15 * 60 * 1000,
  ) {
    this.sessionTtlMs = sessionTtlMs;
  }

  /** POST /v2/billing/meter_event_session. */
  createSession(): Record<string, unknown> {
    const now = Date.now();
    const id = randomId('mes', 24);
    const token = randomId('mes_tok', 32);
    const expiresAt = now + this.sessionTtlMs;
    this.sessions.set(token, { id, expiresAt });
    return {
      id,
      object: 'v2.billing.meter_event_session',
      authentication_token: token,
      created: new Date(now).toISOString(),
      expires_at: new Date(expiresAt).toISOString(),
      livemode: false,
    };
  }

  /** Makes every session issued so far expired (tests of token renewal). */
  expireSessions(): void {
    for (const s of this.sessions.values()) s.expiresAt = 0;
  }

  /** POST /v2/billing/meter_event_stream, authenticated with a session token. */
  stream(authorization: string | undefined, body: Record<string, unknown>): Record<string, unknown> {
    const token = bearer(authorization);
    const session = token === undefined ? undefined : this.sessions.get(token);
    if (!session) throw authenticationFailed('Invalid meter event session token provided.');
    if (Date.now() >= session.expiresAt) throw meterSessionExpired();
    const events = body.events;
    if (!Array.isArray(events) || events.length === 0) {
      throw invalidRequest('events: must contain between 1 and 100 items.', 'events', 'invalid_fields');
    }
    if (events.length > 100) {
      throw invalidRequest(`events: must contain at most 100 items, got ${events.length}.`, 'events', 'invalid_fields');
    }
    const parsed = events.map((e, i) => v2Event(e, i));
    const meters = new Map<string, StripeObject | undefined>();
    const account: MeterAccount = {
      meterFor: (name) => (meters.has(name) ? meters.get(name) : meters.set(name, this.meterFor(name)).get(name)),
    };
    for (const ev of parsed) {
      if (this.identifiers.has(ev.identifier)) {
        this.droppedDuplicates++;
        continue;
      }
      this.accept(ev, 'v2', account);
    }
    return {};
  }

  /** POST /v1/billing/meter_events (form-encoded, one event). */
  createV1(params: Record<string, unknown>): Record<string, unknown> {
    if (typeof params.event_name !== 'string' || !params.event_name) throw parameterMissing('event_name');
    if (!isRecord(params.payload)) throw parameterMissing('payload');
    const now = nowSeconds();
    const timestamp = params.timestamp === undefined ? now : Number(params.timestamp);
    if (!Number.isInteger(timestamp))
      throw invalidRequest('Invalid integer: timestamp', 'timestamp', 'parameter_invalid_integer');
    const timeProblem = timestampProblem(timestamp, now);
    if (timeProblem) throw invalidRequest(timeProblem.message, 'timestamp');
    const identifier =
      typeof params.identifier === 'string' && params.identifier ? params.identifier : randomId('mev', 20);
    if (this.identifiers.has(identifier)) {
      throw invalidRequest(`An event already exists with identifier ${identifier}.`, 'identifier', undefined, {
        'Stripe-Should-Retry': 'false',
      });
    }
    const ev: MeterEventRecord = {
      event_name: params.event_name,
      identifier,
      timestamp,
      payload: stringRecord(params.payload),
      created: now,
      via: 'v1',
    };
    this.accept(ev, 'v1', { meterFor: (name) => this.meterFor(name) });
    return {
      object: 'billing.meter_event',
      created: ev.created,
      event_name: ev.event_name,
      identifier: ev.identifier,
      livemode: false,
      payload: ev.payload,
      timestamp: ev.timestamp,
    };
  }

  /** Sum of numeric `payload.value` per `${stripe_customer_id}|${event_name}` over accepted events. */
  totals(): Map<string, number> {
    const out = new Map<string, number>();
    for (const ev of this.events) {
      const value = Number(ev.payload.value);
      if (!Number.isFinite(value)) continue;
      const key = `${ev.payload.stripe_customer_id}|${ev.event_name}`;
      out.set(key, (out.get(key) ?? 0) + value);
    }
    return out;
  }

  /** GET /v1/billing/meters/:id/event_summaries. */
  summaries(meterId: string, query: Record<string, unknown>, path: string): Record<string, unknown> {
    if (!this.store.exists('billing.meter', meterId)) throw resourceMissing('billing.meter', meterId);
    const meter = this.store.get(meterId)!;
    const events = this.byPair.get(`${String(meter.event_name)}|${String(query.customer)}`) ?? [];
    return eventSummaries({ meter, events, query, path, lagMs: this.summaryLagMs, nowMs: Date.now() });
  }

  /** Forgets every identifier seen so far: Stripe's 24-hour identifier window has passed. */
  forgetIdentifiers(): void {
    this.identifiers.clear();
  }

  /** Stops the report timers (the server closes). */
  close(): void {
    this.reports.close();
  }

  clear(): void {
    for (const list of [this.events, this.rejected, this.lost]) list.length = 0;
    this.droppedDuplicates = 0;
    this.summaryLagMs = 0;
    this.identifiers.clear();
    this.sessions.clear();
    this.byPair.clear();
    this.validation.clear();
    this.reports.clear();
  }

  /** The stored meter with this event name (an active one first). */
  private meterFor(eventName: string): StripeObject | undefined {
    const matching = this.store.all('billing.meter').filter((m) => m.event_name === eventName);
    return matching.find((m) => m.status === 'active') ?? matching[0];
  }

  /** Validation runs now, its report later: the sender only ever sees the stream's `{}`. */
  private accept(ev: MeterEventRecord, via: 'v1' | 'v2', account: MeterAccount): void {
    this.identifiers.add(ev.identifier);
    ev.receivedMs = Date.now();
    const problem = this.validation.problem(ev, account, nowSeconds());
    if (problem) {
      const meterId =
        problem.code === 'no_meter' ? undefined : (account.meterFor(ev.event_name)?.id ?? standInMeterId(ev));
      const rejection = { ...problem, event: { ...ev }, reason: problem.message, via, meterId };
      this.rejected.push(rejection);
      this.reports.add(rejection);
      return;
    }
    if (this.validation.lose()) {
      this.lost.push(ev);
      return;
    }
    this.events.push(ev);
    const key = `${ev.event_name}|${ev.payload.stripe_customer_id}`;
    const pair = this.byPair.get(key);
    if (pair) pair.push(ev);
    else this.byPair.set(key, [ev]);
  }
}

/** A stable meter id for an event name with no stored meter (its error report needs a related object). */
const standInMeterId = (ev: MeterEventRecord): string =>
  `mtr_standin${createHash('sha256').update(ev.event_name).digest('hex').slice(0, 16)}`;

function bearer(authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  return m ? m[1].trim() : undefined;
}

/** Validates the request-level schema of one v2 stream event (failures reject the whole call). */
function v2Event(e: unknown, i: number): MeterEventRecord {
  const bad = (field: string, what: string): StandInError =>
    invalidRequest(`events[${i}].${field}: ${what}`, `events[${i}].${field}`, 'invalid_fields');
  if (!isRecord(e)) throw bad('event_name', 'event must be an object');
  if (typeof e.event_name !== 'string' || !e.event_name) throw bad('event_name', 'required string');
  if (!isRecord(e.payload)) throw bad('payload', 'required object');
  if (e.identifier !== undefined && typeof e.identifier !== 'string') throw bad('identifier', 'must be a string');
  let timestamp = nowSeconds();
  if (e.timestamp !== undefined) {
    const ms = typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : NaN;
    if (Number.isNaN(ms)) throw bad('timestamp', 'must be an RFC 3339 timestamp');
    timestamp = Math.floor(ms / 1000);
  }
  return {
    event_name: e.event_name,
    identifier: typeof e.identifier === 'string' && e.identifier ? e.identifier : randomId('mev', 20),
    timestamp,
    payload: stringRecord(e.payload),
    created: nowSeconds(),
    via: 'v2',
  };
}

function stringRecord(r: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) out[k] = String(v);
  return out;
}
