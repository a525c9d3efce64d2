/**
 * The Stripe event envelope: what a verified body must look like to be enqueued (the webhook
 * route answers 400 otherwise) and what the worker re-validates before acting (a permanent
 * failure otherwise). Only the envelope is checked here; each handler validates its object.
 *
 * Checked by hand rather than with a zod schema: this runs for every webhook and every job, and
 * zod's loose-object parse copied every key of the (often 4 KB) object each time, about 6 % of
 * both the api's and the worker's CPU under load. The result is the envelope's own fields (the
 * rest, such as `request` and `previous_attributes`, is left out of the job) around the same
 * `data.object`, not a copy, unless it holds payment details: those are scrubbed here, before the
 * event is enqueued (webhook, replay), so no job in Redis ever holds them (lib/payment-details.ts).
 */
import { isRecord } from '../lib/is-record';
import { withoutPaymentDetails } from '../lib/payment-details';

/** The event's object. Most have `id` and `object`; some have no `id` (balance, invoice previews, entitlement summaries). */
export interface StripeEventObject {
  id?: string;
  object?: string;
  [key: string]: unknown;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  type: string;
  created: number;
  livemode?: boolean;
  /** The API version the endpoint rendered the event in (null: the account's default at the time). */
  api_version?: string | null;
  data: { object: StripeEventObject };
}

const EVENT_ID = /^evt_[A-Za-z0-9_]+$/;

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

type Parsed = { ok: true; event: StripeEvent } | { ok: false; reason: string };

const invalid = (path: string, message: string): Parsed => ({ ok: false, reason: `${path}: ${message}` });

/**
 * Returns the event, or a one-line reason (`path: problem`) it is not a Stripe event. Asks only
 * what the contract lists: `id` evt_…, `object` "event", `type`, `created`, `data.object` an
 * object. An object without `id` is a normal case (balance.available, invoice.upcoming, …).
 */
export function parseStripeEvent(value: unknown): Parsed {
  if (!isRecord(value)) return invalid('body', 'expected an object');
  const { id, object, type, created, livemode, data, api_version: apiVersion } = value;
  if (typeof id !== 'string' || !EVENT_ID.test(id)) return invalid('id', 'must be an evt_ id');
  if (object !== 'event') return invalid('object', 'must be "event"');
  if (!isText(type)) return invalid('type', 'must be a non-empty string');
  if (typeof created !== 'number' || !Number.isSafeInteger(created) || created <= 0)
    return invalid('created', 'must be a positive integer');
  if (livemode !== undefined && typeof livemode !== 'boolean') return invalid('livemode', 'must be a boolean');
  if (!isRecord(data)) return invalid('data', 'expected an object');
  const target = data.object;
  if (!isRecord(target)) return invalid('data.object', 'expected an object');
  const event: StripeEvent = { id, object, type, created, data: { object: withoutPaymentDetails(target) } };
  if (livemode !== undefined) event.livemode = livemode;
  if (typeof apiVersion === 'string' || apiVersion === null) event.api_version = apiVersion;
  return { ok: true, event };
}
