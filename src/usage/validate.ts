/**
 * Validation of usage events, shared by `POST /v1/usage` and the TypeScript client. Pure: the
 * caller passes "now". A batch is all or nothing; the error names the offending field.
 */
import { CUSTOMER_ID } from '../lib/ids';
import { isRecord } from '../lib/is-record';
import { EVENT_ID, METER_EVENT_NAME } from './keys';
import { STRIPE_FUTURE_LIMIT_S, STRIPE_PAST_LIMIT_S } from './window';

/** One unit of counted usage. */
export interface UsageEvent {
  /** Stripe customer id, `cus_…` (the mirror may not know it yet; that is fine). */
  customer: string;
  /** The meter's `event_name`. */
  meter: string;
  /** Whole units, 0 ≤ value ≤ 2^53 − 1. */
  value: number;
  /** When the usage happened, unix seconds; default: now. Past 35 days … 5 minutes ahead. */
  timestamp?: number;
  /**
   * Optional event id, 1–100 characters of `A–Z a–z 0–9 _ . : -`, unique per customer: an event
   * whose id was already counted within USAGE_DEDUPE_SECONDS is not counted again.
   */
  id?: string;
}

/** A validated event: timestamp filled in; `id` only when the caller gave one. */
export type ValidEvent = Required<Omit<UsageEvent, 'id'>> & Pick<UsageEvent, 'id'>;

export const MAX_EVENTS_PER_REQUEST = 1000;

export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

const ALLOWED = new Set(['customer', 'meter', 'value', 'timestamp', 'id']);

/** Validates one event; `path` prefixes the field in the error (e.g. `events[3].`). */
export function validateEvent(input: unknown, nowSeconds: number, path = ''): Validation<ValidEvent> {
  const fail = (field: string, what: string) => ({ ok: false as const, error: `${path}${field}: ${what}` });
  if (!isRecord(input)) return { ok: false, error: `${path || 'body'}: must be an object` };
  const unknown = Object.keys(input).find((k) => !ALLOWED.has(k));
  if (unknown !== undefined) return fail(unknown, 'unknown field');
  const { customer, meter, value, timestamp, id } = input;
  if (typeof customer !== 'string' || !CUSTOMER_ID.test(customer))
    return fail('customer', 'must be a Stripe customer id (cus_…)');
  if (typeof meter !== 'string' || !METER_EVENT_NAME.test(meter)) {
    return fail('meter', 'must be a meter event name (letters, digits, _ . : -, at most 100 characters)');
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return fail('value', 'must be an integer between 0 and 2^53-1');
  }
  const ts = timestamp === undefined ? nowSeconds : timestamp;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts))
    return fail('timestamp', 'must be unix seconds (an integer)');
  if (ts < nowSeconds - STRIPE_PAST_LIMIT_S) return fail('timestamp', 'must be within the past 35 days');
  if (ts > nowSeconds + STRIPE_FUTURE_LIMIT_S) return fail('timestamp', 'must be at most 5 minutes in the future');
  if (id !== undefined && (typeof id !== 'string' || !EVENT_ID.test(id))) {
    return fail('id', 'must be 1 to 100 characters of A-Z a-z 0-9 _ . : -');
  }
  return {
    ok: true,
    value: id === undefined ? { customer, meter, value, timestamp: ts } : { customer, meter, value, timestamp: ts, id },
  };
}

/** Validates a request body: one event, or `{"events":[…]}` with 1 to 1,000 events. */
export function validateUsageBody(body: unknown, nowSeconds: number): Validation<ValidEvent[]> {
  if (isRecord(body) && 'events' in body) {
    const extra = Object.keys(body).find((k) => k !== 'events');
    if (extra !== undefined) return { ok: false, error: `${extra}: unknown field` };
    return validateEvents(body.events, nowSeconds, 'events');
  }
  const one = validateEvent(body, nowSeconds);
  return one.ok ? { ok: true, value: [one.value] } : one;
}

/** Validates a list of events; every element must pass or the whole list is refused. */
export function validateEvents(list: unknown, nowSeconds: number, name = 'events'): Validation<ValidEvent[]> {
  if (!Array.isArray(list)) return { ok: false, error: `${name}: must be an array` };
  if (list.length === 0 || list.length > MAX_EVENTS_PER_REQUEST) {
    return { ok: false, error: `${name}: must hold 1 to ${MAX_EVENTS_PER_REQUEST} events, got ${list.length}` };
  }
  const out: ValidEvent[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = validateEvent(list[i], nowSeconds, `${name}[${i}].`);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}
