/**
 * Billing Meters in the Stripe stand-in: v2 meter event sessions + the meter event stream
 * (≤ 100 events per call, duplicate identifiers dropped silently, validation "async"), and the
 * v1 `POST /v1/billing/meter_events` (one event; a repeated identifier → 400, should-retry false).
 */
import { authenticationFailed, invalidRequest, meterSessionExpired, parameterMissing, StandInError } from './errors';
import { isRecord, nowSeconds, randomId } from './util';

/** A meter event Stripe accepted. `timestamp` and `created` are unix seconds. */
export interface MeterEventRecord {
  event_name: string;
  identifier: string;
  timestamp: number;
  payload: Record<string, string>;
  created: number;
  via: 'v1' | 'v2';
}

/** An event accepted on the wire but rejected by (Stripe's asynchronous) validation. */
export interface MeterEventRejection {
  event: Record<string, unknown>;
  reason: string;
  via: 'v1' | 'v2';
}

const PAST_LIMIT_S = 35 * 24 * 3600;
const FUTURE_LIMIT_S = 5 * 60;

export class MeterService {
  /** Accepted events, in arrival order. */
  readonly events: MeterEventRecord[] = [];
  /** Events that passed the request but failed validation (Stripe reports these as thin events). */
  readonly rejected: MeterEventRejection[] = [];
  /** How many v2 stream events were dropped because their identifier was seen before. */
  droppedDuplicates = 0;
  /** Token lifetime of new meter event sessions. */
  sessionTtlMs: number;
  private readonly identifiers = new Set<string>();
  private readonly sessions = new Map<string, { id: string; expiresAt: number }>();

  constructor(sessionTtlMs = 15 * 60 * 1000) {
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
    for (const ev of parsed) {
      if (this.identifiers.has(ev.identifier)) {
        this.droppedDuplicates++;
        continue;
      }
      this.accept(ev, 'v2');
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
    if (timeProblem) throw invalidRequest(timeProblem, 'timestamp');
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
    this.accept(ev, 'v1');
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

  clear(): void {
    this.events.length = 0;
    this.rejected.length = 0;
    this.droppedDuplicates = 0;
    this.identifiers.clear();
    this.sessions.clear();
  }

  private accept(ev: MeterEventRecord, via: 'v1' | 'v2'): void {
    this.identifiers.add(ev.identifier);
    const problem =
      (via === 'v2' ? timestampProblem(ev.timestamp, nowSeconds()) : undefined) ?? payloadProblem(ev.payload);
    if (problem) {
      this.rejected.push({ event: { ...ev }, reason: problem, via });
      return;
    }
    this.events.push(ev);
  }
}

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

function timestampProblem(ts: number, now: number): string | undefined {
  if (ts < now - PAST_LIMIT_S) return 'timestamp must be within the past 35 days.';
  if (ts > now + FUTURE_LIMIT_S) return 'timestamp must be no more than 5 minutes in the future.';
  return undefined;
}

function payloadProblem(payload: Record<string, string>): string | undefined {
  if (!payload.stripe_customer_id) return 'payload.stripe_customer_id is missing (no customer mapping).';
  if (payload.value === undefined) return 'payload.value is missing.';
  if (!/^-?\d+$/.test(payload.value)) return 'payload.value must be a whole number.';
  return undefined;
}
