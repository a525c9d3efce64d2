/**
 * Builders of realistic customers, products, prices, subscriptions and checkout sessions, copied
 * from Stripe's sample objects of the requested API version (default: the pinned one). Every builder
 * deep-clones the fixture, sets fresh ids and current timestamps, places the version-dependent
 * fields (./versions.ts), then deep-merges the overrides (plain objects merge, arrays and scalars replace).
 */
import Stripe from 'stripe';
import {
  API_VERSION,
  DAY,
  fixture,
  merge,
  now,
  setPresent,
  type ApiVersion,
  type DeepPartial,
  type Json,
} from './fixtures';
import { randomId } from './util';
import { layoutOf, placeSubscriptionPeriod, placeSubscriptionPlan } from './versions';

/** Renders the object as an endpoint on `apiVersion` receives it (default: the pinned version). */
export interface VersionOption {
  apiVersion?: ApiVersion;
}

/** Lists older versions embed in a customer (2020-08-27 stopped expanding them by default). */
const CUSTOMER_LISTS = ['sources', 'subscriptions', 'tax_ids'];

/** A `customer` (fake email `customer+<id>@example.com` unless given). */
export function customer(overrides: DeepPartial<Stripe.Customer> = {}, opts: VersionOption = {}): Stripe.Customer {
  const c = fixture('customer', opts.apiVersion);
  const id = overrides.id ?? randomId('cus', 14);
  merge(c, { id, created: now(), discount: null, email: `customer+${id.slice(4).toLowerCase()}@example.com` });
  c.invoice_prefix = randomId('x', 7).slice(2).toUpperCase();
  for (const list of CUSTOMER_LISTS)
    if (list in c) c[list] = { object: 'list', data: [], has_more: false, url: `/v1/customers/${id}/${list}` };
  return merge(c, overrides) as unknown as Stripe.Customer;
}

/** A `product` (service, no default price). */
export function product(overrides: DeepPartial<Stripe.Product> = {}, opts: VersionOption = {}): Stripe.Product {
  const p = fixture('product', opts.apiVersion);
  const t = now();
  merge(p, { id: randomId('prod', 14), created: t, updated: t });
  setPresent(p, { default_price: null, package_dimensions: null, type: 'service' });
  return merge(p, overrides) as unknown as Stripe.Product;
}

/**
 * A recurring monthly `price`. `meter: 'mtr_…'` (or `recurring: { usage_type: 'metered', meter }`)
 * makes it a metered price billed from a Billing Meter.
 */
export function price(
  overrides: DeepPartial<Stripe.Price> & { meter?: string } = {},
  opts: VersionOption = {},
): Stripe.Price {
  const { meter, ...rest } = overrides;
  const p = fixture('price', opts.apiVersion);
  merge(p, { id: randomId('price', 24), created: now(), product: randomId('prod', 14) });
  setPresent(p, { custom_unit_amount: null, transform_quantity: null });
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
  /** The item's period; before 2025-03-31.basil it is rendered on the subscription (first item's). */
  current_period_start?: number;
  current_period_end?: number;
  metadata?: Record<string, string>;
  /** An item of the plan era: `plan` only, no `price` (older API versions). */
  planOnly?: boolean;
}

export type SubscriptionOverrides = Omit<DeepPartial<Stripe.Subscription>, 'items'> & {
  items?: SubscriptionItemSpec[];
};

/** The legacy `plan` Stripe still embeds in subscription items, derived from the price. */
export function planOf(p: Stripe.Price): Json {
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

function subscriptionItem(
  template: Json,
  spec: SubscriptionItemSpec,
  subId: string,
  t: number,
  opts: VersionOption,
): Json {
  const pr = typeof spec.price === 'string' ? price({ id: spec.price }, opts) : (spec.price ?? price({}, opts));
  const item = merge(structuredClone(template), {
    id: spec.id ?? randomId('si', 14),
    created: t,
    subscription: subId,
    metadata: spec.metadata ?? {},
    tax_rates: [],
  });
  setPresent(item, { discounts: [], billing_thresholds: null });
  // Every item carries its period here; placeSubscriptionPeriod moves it where the version wants it.
  item.current_period_start = spec.current_period_start ?? t;
  item.current_period_end = spec.current_period_end ?? (spec.current_period_start ?? t) + 30 * DAY;
  item.price = structuredClone(pr);
  item.plan = planOf(pr);
  if (spec.planOnly) delete item.price;
  if (spec.quantity !== undefined) item.quantity = spec.quantity;
  else if (pr.recurring?.usage_type === 'metered') delete item.quantity;
  else item.quantity = 1;
  return item;
}

/**
 * An active `subscription` for `overrides.customer` (fresh id if absent). Items default to one
 * licensed monthly price, quantity 1, period now → now + 30 days; items form a list object.
 */
export function subscription(overrides: SubscriptionOverrides = {}, opts: VersionOption = {}): Stripe.Subscription {
  const { items: specs, ...rest } = overrides;
  const s = fixture('subscription', opts.apiVersion);
  const template = ((s.items as Json).data as Json[])[0];
  const id = rest.id ?? randomId('sub', 24);
  const t = now();
  const items = (specs ?? [{}]).map((spec) => subscriptionItem(template, spec, id, t, opts));
  const start = (items[0]?.current_period_start as number | undefined) ?? t;
  Object.assign(s, {
    id,
    customer: randomId('cus', 14),
    created: t,
    // As at Stripe, the first period begins at the start: a builder given an earlier period started then.
    start_date: start,
    billing_cycle_anchor: start,
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
    status: 'active',
    items: { object: 'list', data: items, has_more: false, url: `/v1/subscription_items?subscription=${id}` },
  });
  setPresent(s, { billing_cycle_anchor_config: null, billing_thresholds: null, billing_schedules: [] });
  const layout = layoutOf(opts.apiVersion ?? API_VERSION);
  placeSubscriptionPeriod(s, layout);
  placeSubscriptionPlan(s, layout);
  return merge(s, rest) as unknown as Stripe.Subscription;
}

/** A `checkout.session` (default: subscription mode, open, unpaid, expires in 24 h). */
export function checkoutSession(
  overrides: DeepPartial<Stripe.Checkout.Session> = {},
  opts: VersionOption = {},
): Stripe.Checkout.Session {
  const cs = fixture('checkout.session', opts.apiVersion);
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
    shipping_address_collection: null,
    currency: 'usd',
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    url: `https://checkout.stripe.com/c/pay/${id}`,
  });
  setPresent(cs, { payment_method_configuration_details: null, shipping_cost: null, currency_conversion: null });
  if (overrides.status === 'complete') merge(cs, { payment_status: 'paid', url: null });
  return merge(cs, overrides) as unknown as Stripe.Checkout.Session;
}
