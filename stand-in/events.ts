/**
 * Signed Stripe events for tests, demo, bench and chaos: the `event` envelope (in any supported API
 * version), events for id-less objects and for objects without a typed table, and webhook signing.
 * Re-exports the object builders, so `import * as build from 'stand-in/events'` reaches them all.
 */
import Stripe from 'stripe';
import {
  checkoutSession,
  customer,
  price,
  product,
  subscription,
  type SubscriptionOverrides,
  type VersionOption,
} from './billing-objects';
import { API_VERSION, fixture, now, type ApiVersion, type DeepPartial, type Json } from './fixtures';
import { invoice, upcomingInvoice, type InvoiceOverrides } from './invoices';
import { balance, entitlementSummary, object, type EntitlementSpec } from './other-objects';
import { randomId, type StripeObject } from './util';

export {
  API_VERSION,
  API_VERSIONS,
  fixture,
  fixturesPath,
  objectSampleTypes,
  type ApiVersion,
  type DeepPartial,
} from './fixtures';
export * from './billing-objects';
export * from './invoices';
export * from './other-objects';

export interface EventOptions {
  id?: string;
  created?: number;
  /** `data.previous_attributes` for `*.updated` events. */
  previousAttributes?: Record<string, unknown>;
  pendingWebhooks?: number;
  /** The envelope's `api_version` (default: the pinned version); build `object` in the same version. */
  apiVersion?: ApiVersion;
}

/** A full `event` wrapping `object` in `data.object`. */
export function event(type: string, object: object, opts: EventOptions = {}): Stripe.Event {
  const e = fixture('event');
  const data: Json = { object: structuredClone(object) };
  if (opts.previousAttributes) data.previous_attributes = structuredClone(opts.previousAttributes);
  Object.assign(e, {
    id: opts.id ?? randomId('evt', 24),
    api_version: opts.apiVersion ?? API_VERSION,
    created: opts.created ?? now(),
    data,
    livemode: false,
    pending_webhooks: opts.pendingWebhooks ?? 1,
    request: { id: null, idempotency_key: null },
    type,
  });
  return e as unknown as Stripe.Event;
}

/** An event of `type` (e.g. `charge.dispute.created`) carrying a fresh `objectType` object built by `object()`. */
export function buildObjectEvent(
  type: string,
  objectType: string,
  overrides: Json = {},
  opts: EventOptions = {},
): Stripe.Event {
  return event(type, object(objectType, overrides), opts);
}

/** `balance.available`: its `balance` object has no id. */
export function balanceAvailableEvent(available = 0, pending = 0, opts: EventOptions = {}): Stripe.Event {
  return event('balance.available', balance(available, pending), opts);
}

/** `invoice.upcoming`: an invoice preview without id, in `opts.apiVersion`. */
export function invoiceUpcomingEvent(overrides: InvoiceOverrides = {}, opts: EventOptions = {}): Stripe.Event {
  return event('invoice.upcoming', upcomingInvoice(overrides, { apiVersion: opts.apiVersion }), opts);
}

/** `entitlements.active_entitlement_summary.updated` for `customer` (no id; `hasMore`: a first page only). */
export function entitlementSummaryEvent(
  customerId: string,
  entitlements: Array<EntitlementSpec | StripeObject>,
  opts: EventOptions & { hasMore?: boolean } = {},
): Stripe.Event {
  return event(
    'entitlements.active_entitlement_summary.updated',
    entitlementSummary(customerId, entitlements, opts.hasMore),
    opts,
  );
}

/**
 * The builders bound to one API version: objects rendered in it and events whose `api_version`
 * says so. Running one lifecycle through `buildersFor(v)` for each of API_VERSIONS gives the same
 * logical objects (ids, statuses, periods, links) in each version's shapes.
 */
export function buildersFor(apiVersion: ApiVersion) {
  const v: VersionOption = { apiVersion };
  return {
    apiVersion,
    customer: (o: DeepPartial<Stripe.Customer> = {}) => customer(o, v),
    product: (o: DeepPartial<Stripe.Product> = {}) => product(o, v),
    price: (o: DeepPartial<Stripe.Price> & { meter?: string } = {}) => price(o, v),
    subscription: (o: SubscriptionOverrides = {}) => subscription(o, v),
    invoice: (o: InvoiceOverrides = {}) => invoice(o, v),
    checkoutSession: (o: DeepPartial<Stripe.Checkout.Session> = {}) => checkoutSession(o, v),
    upcomingInvoice: (o: InvoiceOverrides = {}) => upcomingInvoice(o, v),
    event: (type: string, obj: object, opts: Omit<EventOptions, 'apiVersion'> = {}) =>
      event(type, obj, { ...opts, apiVersion }),
  };
}

export type VersionedBuilders = ReturnType<typeof buildersFor>;

/** The `Stripe-Signature` header value for `payload` (the exact raw body string), signed with `secret`. */
export function signWebhook(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

/** Serializes an event and signs it: ready for `POST /webhooks/stripe`. */
export function signedDelivery(evt: object, secret: string, timestamp?: number): { body: string; signature: string } {
  const body = JSON.stringify(evt);
  return { body, signature: signWebhook(body, secret, timestamp) };
}
