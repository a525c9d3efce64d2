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
 *
 * Also the one rule for an event's key (`eventKey`): the queue partition it goes to, the advisory
 * lock its transaction takes, the customer its log lines and the access change feed name.
 */
import { CUSTOMER_ID } from '../lib/ids';
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

/** A Stripe event id (v1 events and v2 thin event notifications alike). */
export const EVENT_ID = /^evt_[A-Za-z0-9_]+$/;

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

/** A Stripe reference's id: the id itself, or the `id` of the expanded object; undefined if neither. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  return isRecord(value) && typeof value.id === 'string' && value.id.length > 0 ? value.id : undefined;
}

/** The customer an event's object belongs to: a customer's own id, else its `customer` (id or expanded). */
export function eventCustomer(object: Record<string, unknown>): string | undefined {
  return referencedId(object.object === 'customer' ? object.id : object.customer);
}

export interface EventKey {
  /** The queue partition and the advisory lock of the event. */
  key: string;
  /**
   * True when `key` is the event's customer and a well-formed customer id (CUSTOMER_ID): the access
   * change feed names it after the commit, duplicates included (a worker may have died before).
   */
  customer: boolean;
}

/**
 * The key of an event: its customer (a customer's own id, or the `customer` of an object that has
 * one), so every event of one customer lands on one partition, in order, and serializes under one
 * lock; else the object's own id (products, prices, coupons); else, for an object without id
 * (balance, previews), the event id, which every redelivery repeats. Pure.
 */
export function eventKey(event: { id: string; data: { object: Record<string, unknown> } }): EventKey {
  const object = event.data.object;
  const customer = eventCustomer(object);
  if (customer !== undefined) return { key: customer, customer: CUSTOMER_ID.test(customer) };
  return { key: referencedId(object.id) ?? event.id, customer: false };
}
