/**
 * Builders of realistic Stripe objects and events for tests, demo and benchmarks, copied from
 * Stripe's own sample objects (test/support/fixtures/stripe-fixtures.json, a subset of Stripe's fixtures3.json) and adjusted
 * to API 2026-10-28.endive: period dates on subscription items, invoice → subscription through
 * `parent.subscription_details`. Every builder deep-clones the fixture, sets fresh ids and current
 * timestamps, then deep-merges the overrides (plain objects merge, arrays and scalars replace).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Stripe from 'stripe';
import { randomId } from './util';

export const API_VERSION = '2026-10-28.endive';

/** Recursively optional version of a Stripe type, for overrides. */
export type DeepPartial<T> = T extends (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;

type Json = Record<string, unknown>;

let fixtures: Record<string, Json> | undefined;

/** Folder holding package.json, searched upwards from this file. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`stripe-events: no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/**
 * Path of the sample objects: $STRIPE_FIXTURES_PATH (e.g. a full fixtures3.json), else the subset
 * shipped in the repository, so the demo and benchmarks work from a fresh clone.
 */
export function fixturesPath(): string {
  return process.env.STRIPE_FIXTURES_PATH ?? resolve(projectRoot(), 'stand-in', 'fixtures', 'stripe-fixtures.json');
}

/** A deep copy of Stripe's sample object for `resource` (e.g. `'customer'`, `'checkout.session'`). */
export function fixture(resource: string): Json {
  if (!fixtures) {
    const parsed = JSON.parse(readFileSync(fixturesPath(), 'utf8')) as { resources: Record<string, Json> };
    fixtures = parsed.resources;
  }
  const f = fixtures[resource];
  if (!f) throw new Error(`stripe-events: no fixture for ${resource}`);
  return structuredClone(f);
}

function isPlain(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `over` into `base` in place: plain objects recurse, everything else replaces; undefined is skipped. */
function merge(base: Json, over: object): Json {
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    if (isPlain(v) && isPlain(base[k])) merge(base[k] as Json, v);
    else base[k] = structuredClone(v);
  }
  return base;
}

const now = (): number => Math.floor(Date.now() / 1000);
const DAY = 24 * 3600;

/** A `customer` (fake email `customer+<id>@example.com` unless given). */
export function customer(overrides: DeepPartial<Stripe.Customer> = {}): Stripe.Customer {
  const c = fixture('customer');
  const id = overrides.id ?? randomId('cus', 14);
  merge(c, { id, created: now(), discount: null, email: `customer+${id.slice(4).toLowerCase()}@example.com` });
  c.invoice_prefix = randomId('x', 7).slice(2).toUpperCase();
  return merge(c, overrides) as unknown as Stripe.Customer;
}

/** A `product` (service, no default price). */
export function product(overrides: DeepPartial<Stripe.Product> = {}): Stripe.Product {
  const p = fixture('product');
  const t = now();
  merge(p, { id: randomId('prod', 14), created: t, updated: t, default_price: null, package_dimensions: null, type: 'service' });
  return merge(p, overrides) as unknown as Stripe.Product;
}

/**
 * A recurring monthly `price`. `meter: 'mtr_…'` (or `recurring: { usage_type: 'metered', meter }`)
 * makes it a metered price billed from a Billing Meter.
 */
export function price(overrides: DeepPartial<Stripe.Price> & { meter?: string } = {}): Stripe.Price {
  const { meter, ...rest } = overrides;
  const p = fixture('price');
  merge(p, { id: randomId('price', 24), created: now(), product: randomId('prod', 14), custom_unit_amount: null });
  p.transform_quantity = null;
  if (meter) merge(p, { recurring: { usage_type: 'metered', meter } });
  return merge(p, rest) as unknown as Stripe.Price;
}

/** One subscription item as given to `subscription({ items })`. */
export interface SubscriptionItemSpec {
  id?: string;
  /** A price id (a price object is built for it) or a price object. */
  price?: string | Stripe.Price;
  /** Omitted on metered prices unless given. */
  quantity?: number;
  current_period_start?: number;
  current_period_end?: number;
  metadata?: Record<string, string>;
}

export type SubscriptionOverrides = Omit<DeepPartial<Stripe.Subscription>, 'items'> & { items?: SubscriptionItemSpec[] };

/** The legacy `plan` Stripe still embeds in subscription items, derived from the price. */
function planOf(p: Stripe.Price): Json {
  return {
    id: p.id,
    object: 'plan',
    active: p.active,
    amount: p.unit_amount,
    amount_decimal: p.unit_amount_decimal,
    billing_scheme: p.billing_scheme,
    created: p.created,
    currency: p.currency,
    interval: p.recurring?.interval ?? 'month',
    interval_count: p.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: {},
    meter: p.recurring?.meter ?? null,
    nickname: p.nickname,
    product: p.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: p.recurring?.usage_type ?? 'licensed',
  };
}

/**
 * An active `subscription` for `overrides.customer` (fresh id if absent). Items default to one
 * licensed monthly price, quantity 1, period now → now + 30 days; items form a list object.
 */
export function subscription(overrides: SubscriptionOverrides = {}): Stripe.Subscription {
  const { items: specs, ...rest } = overrides;
  const s = fixture('subscription');
  const template = ((s.items as Json).data as Json[])[0];
  const id = rest.id ?? randomId('sub', 24);
  const t = now();
  const items = (specs ?? [{}]).map((spec) => {
    const pr = typeof spec.price === 'string' ? price({ id: spec.price }) : (spec.price ?? price());
    const item = merge(structuredClone(template), {
      id: spec.id ?? randomId('si', 14),
      created: t,
      subscription: id,
      current_period_start: spec.current_period_start ?? t,
      current_period_end: spec.current_period_end ?? (spec.current_period_start ?? t) + 30 * DAY,
      metadata: spec.metadata ?? {},
      discounts: [],
      tax_rates: [],
    });
    item.billing_thresholds = null;
    item.price = structuredClone(pr);
    item.plan = planOf(pr);
    if (spec.quantity !== undefined) item.quantity = spec.quantity;
    else if (pr.recurring?.usage_type === 'metered') delete item.quantity;
    else item.quantity = 1;
    return item;
  });
  const start = (items[0]?.current_period_start as number | undefined) ?? t;
  Object.assign(s, {
    id,
    customer: randomId('cus', 14),
    created: t,
    start_date: t,
    billing_cycle_anchor: start,
    billing_cycle_anchor_config: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    ended_at: null,
    trial_start: null,
    trial_end: null,
    next_pending_invoice_item_invoice: null,
    pause_collection: null,
    pending_invoice_item_interval: null,
    pending_update: null,
    transfer_data: null,
    billing_thresholds: null,
    billing_schedules: [],
    status: 'active',
    items: { object: 'list', data: items, has_more: false, url: `/v1/subscription_items?subscription=${id}` },
  });
  return merge(s, rest) as unknown as Stripe.Subscription;
}

export type InvoiceOverrides = DeepPartial<Stripe.Invoice> & { subscription?: string | null };

/**
 * An `invoice` (default: open, 2000 usd due, not attempted). `subscription` is translated to
 * `parent: { type: 'subscription_details', subscription_details: { subscription } }`; there is no
 * top-level `subscription` field in this API version. A `paid` invoice defaults to amount_paid = amount_due.
 */
export function invoice(overrides: InvoiceOverrides = {}): Stripe.Invoice {
  const { subscription: sub, ...rest } = overrides;
  const inv = fixture('invoice');
  delete inv.subscription;
  const id = rest.id ?? randomId('in', 24);
  const t = rest.created ?? now();
  const status = rest.status ?? 'open';
  const due = rest.amount_due ?? 2000;
  const paid = rest.amount_paid ?? (status === 'paid' ? due : 0);
  const periodStart = rest.period_start ?? t;
  const periodEnd = rest.period_end ?? t;
  const line = merge(((inv.lines as Json).data as Json[])[0], {
    id: randomId('il', 24),
    invoice: id,
    amount: due,
    subtotal: due,
    description: sub ? '1 × Subscription (at $20.00 / month)' : 'Invoice item',
    period: { start: periodStart, end: periodEnd },
    subscription: sub ?? null,
  });
  line.parent = sub
    ? {
        type: 'subscription_item_details',
        invoice_item_details: null,
        subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: sub, subscription_item: randomId('si', 14) },
      }
    : { type: 'invoice_item_details', subscription_item_details: null, invoice_item_details: { invoice_item: randomId('ii', 24), proration: false, proration_details: { credited_items: null }, subscription: null } };
  Object.assign(inv, {
    id,
    created: t,
    status,
    amount_due: due,
    amount_paid: paid,
    amount_remaining: Math.max(0, due - paid),
    amount_overpaid: 0,
    subtotal: due,
    subtotal_excluding_tax: due,
    total: due,
    total_excluding_tax: due,
    attempted: false,
    attempt_count: 0,
    auto_advance: status !== 'paid' && status !== 'void',
    billing_reason: sub ? 'subscription_cycle' : 'manual',
    due_date: null,
    effective_at: status === 'draft' ? null : t,
    from_invoice: null,
    last_finalization_error: null,
    next_payment_attempt: null,
    period_start: periodStart,
    period_end: periodEnd,
    shipping_cost: null,
    webhooks_delivered_at: null,
    status_transitions: {
      finalized_at: status === 'draft' ? null : t,
      marked_uncollectible_at: status === 'uncollectible' ? t : null,
      paid_at: status === 'paid' ? t : null,
      voided_at: status === 'void' ? t : null,
    },
    lines: { object: 'list', data: [line], has_more: false, url: `/v1/invoices/${id}/lines` },
    parent: sub ? { type: 'subscription_details', quote_details: null, subscription_details: { metadata: {}, subscription: sub } } : null,
  });
  return merge(inv, rest) as unknown as Stripe.Invoice;
}

/** A `checkout.session` (default: subscription mode, open, unpaid, expires in 24 h). */
export function checkoutSession(overrides: DeepPartial<Stripe.Checkout.Session> = {}): Stripe.Checkout.Session {
  const cs = fixture('checkout.session');
  const id = overrides.id ?? randomId('cs_test', 58);
  const t = now();
  Object.assign(cs, {
    id,
    created: t,
    expires_at: t + DAY,
    mode: 'subscription',
    status: 'open',
    payment_status: 'unpaid',
    payment_intent: null,
    payment_method_configuration_details: null,
    shipping_address_collection: null,
    shipping_cost: null,
    currency: 'usd',
    currency_conversion: null,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    url: `https://checkout.stripe.com/c/pay/${id}`,
  });
  if (overrides.status === 'complete') merge(cs, { payment_status: 'paid', url: null });
  return merge(cs, overrides) as unknown as Stripe.Checkout.Session;
}

export interface EventOptions {
  id?: string;
  created?: number;
  /** `data.previous_attributes` for `*.updated` events. */
  previousAttributes?: Record<string, unknown>;
  pendingWebhooks?: number;
}

/** A full `event` (API 2026-10-28.endive) wrapping `object` in `data.object`. */
export function event(type: string, object: object, opts: EventOptions = {}): Stripe.Event {
  const e = fixture('event');
  const data: Json = { object: structuredClone(object) };
  if (opts.previousAttributes) data.previous_attributes = structuredClone(opts.previousAttributes);
  Object.assign(e, {
    id: opts.id ?? randomId('evt', 24),
    api_version: API_VERSION,
    created: opts.created ?? now(),
    data,
    livemode: false,
    pending_webhooks: opts.pendingWebhooks ?? 1,
    request: { id: null, idempotency_key: null },
    type,
  });
  return e as unknown as Stripe.Event;
}

/** The `Stripe-Signature` header value for `payload` (the exact raw body string), signed with `secret`. */
export function signWebhook(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

/** Serializes an event and signs it: ready for `POST /webhooks/stripe`. */
export function signedDelivery(evt: object, secret: string, timestamp?: number): { body: string; signature: string } {
  const body = JSON.stringify(evt);
  return { body, signature: signWebhook(body, secret, timestamp) };
}
