/**
 * The checks Stripe's meter event stream runs after it has answered a batch ("events are processed
 * asynchronously, including validation"), and the stand-in's ways to make it misbehave: refuse a
 * customer (as Stripe refuses one it cannot map) and silently lose a fraction of accepted events.
 * Each failed check carries Stripe's error code (facts.md, "Meter events: asynchronous validation").
 */
import { seededRandom, type StripeObject } from './util';

/** A meter event as Stripe received it. `timestamp` and `created` are unix seconds. */
export interface MeterEventRecord {
  event_name: string;
  identifier: string;
  timestamp: number;
  payload: Record<string, string>;
  created: number;
  via: 'v1' | 'v2';
  /** When it was received (ms): summaries lag behind this. */
  receivedMs?: number;
}

/** Why an event was refused: Stripe's error `code` and message. */
export interface MeterProblem {
  code: string;
  message: string;
}

/** What the checks need to know about the account. */
export interface MeterAccount {
  /** The stored `billing.meter` with this event name (an active one first), if any. */
  meterFor(eventName: string): StripeObject | undefined;
}

const PAST_LIMIT_S = 35 * 24 * 3600;
const FUTURE_LIMIT_S = 5 * 60;

export class MeterValidation {
  /** Customers Stripe "cannot map": their events fail with `meter_event_customer_not_found`. */
  readonly refusedCustomers = new Set<string>();
  /** With true, an event name without a stored `billing.meter` fails with `no_meter`. */
  requireMeters = false;
  private loss?: { fraction: number; random: () => number };

  /** From now on, each valid event is lost (never counted, never reported) with probability `fraction`. */
  setLoss(fraction: number, seed = 1): void {
    this.loss = fraction > 0 ? { fraction, random: seededRandom(seed) } : undefined;
  }

  /** The problem Stripe's asynchronous validation finds with `ev`, if any. */
  problem(ev: MeterEventRecord, account: MeterAccount, nowS: number): MeterProblem | undefined {
    const meter = account.meterFor(ev.event_name);
    if (!meter && this.requireMeters)
      return { code: 'no_meter', message: `No active meter was found for event name ${ev.event_name}.` };
    if (meter && meter.status !== 'active')
      return { code: 'archived_meter', message: `Meter ${meter.id} is not active.` };
    return payloadProblem(ev.payload, this.refusedCustomers) ?? timestampProblem(ev.timestamp, nowS);
  }

  /** True when this valid event is to be lost (see setLoss). */
  lose(): boolean {
    return this.loss !== undefined && this.loss.random() < this.loss.fraction;
  }

  clear(): void {
    this.refusedCustomers.clear();
    this.requireMeters = false;
    this.loss = undefined;
  }
}

function payloadProblem(payload: Record<string, string>, refused: ReadonlySet<string>): MeterProblem | undefined {
  const customer = payload.stripe_customer_id;
  if (!customer) return { code: 'meter_event_no_customer_defined', message: 'payload.stripe_customer_id is missing.' };
  if (refused.has(customer))
    return { code: 'meter_event_customer_not_found', message: `No customer was found with ID ${customer}.` };
  if (payload.value === undefined) return { code: 'meter_event_value_not_found', message: 'payload.value is missing.' };
  if (!/^-?\d+$/.test(payload.value))
    return { code: 'meter_event_invalid_value', message: 'payload.value must be a whole number.' };
  return undefined;
}

/** The timestamp limits: past 35 days … 5 minutes ahead (also checked synchronously by v1). */
export function timestampProblem(ts: number, nowS: number): MeterProblem | undefined {
  if (ts < nowS - PAST_LIMIT_S)
    return { code: 'timestamp_too_far_in_past', message: 'timestamp must be within the past 35 days.' };
  if (ts > nowS + FUTURE_LIMIT_S)
    return { code: 'timestamp_in_future', message: 'timestamp must be no more than 5 minutes in the future.' };
  return undefined;
}
