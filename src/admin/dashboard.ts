/**
 * Links from the console to the same object in Stripe's Dashboard: `https://dashboard.stripe.com/`
 * then `test/` for a test-mode key, then the object's page. Objects without a page of their own
 * that we know of open the Dashboard's search for their id. Pure.
 */
import { Html, html } from './html';

const DASHBOARD = 'https://dashboard.stripe.com/';

/** The Dashboard path of each object type (the `object` value, or the id's prefix below). */
const PATHS: Readonly<Record<string, string>> = {
  customer: 'customers',
  subscription: 'subscriptions',
  invoice: 'invoices',
  price: 'prices',
  product: 'products',
  charge: 'payments',
  payment_intent: 'payments',
  refund: 'refunds',
  dispute: 'disputes',
  event: 'events',
  coupon: 'coupons',
  promotion_code: 'promotion_codes',
  quote: 'quotes',
  credit_note: 'credit_notes',
  subscription_schedule: 'subscription_schedules',
  setup_intent: 'setup_intents',
  tax_rate: 'tax-rates',
  'checkout.session': 'checkout/sessions',
};

/** Id prefixes of the types above, for ids that come without their type (a reason, an event's object). */
const PREFIXES: ReadonlyArray<[string, string]> = [
  ['cus_', 'customer'],
  ['sub_sched_', 'subscription_schedule'],
  ['sub_', 'subscription'],
  ['in_', 'invoice'],
  ['price_', 'price'],
  ['prod_', 'product'],
  ['ch_', 'charge'],
  ['py_', 'charge'],
  ['pi_', 'payment_intent'],
  ['re_', 'refund'],
  ['dp_', 'dispute'],
  ['du_', 'dispute'],
  ['evt_', 'event'],
  ['promo_', 'promotion_code'],
  ['qt_', 'quote'],
  ['cn_', 'credit_note'],
  ['seti_', 'setup_intent'],
  ['txr_', 'tax_rate'],
  ['cs_', 'checkout.session'],
];

export function typeOfId(id: string): string | undefined {
  return PREFIXES.find(([prefix]) => id.startsWith(prefix))?.[1];
}

/** The Dashboard URL of object `id` (of `type` when known) in live or test mode. */
export function dashboardUrl(id: string, live: boolean, type: string | undefined = typeOfId(id)): string {
  const base = `${DASHBOARD}${live ? '' : 'test/'}`;
  const path = type === undefined ? undefined : PATHS[type];
  if (path === undefined) return `${base}search?query=${encodeURIComponent(id)}`;
  return `${base}${path}/${encodeURIComponent(id)}`;
}

/** Live mode follows the secret key: `sk_live_…`/`rk_live_…` is live, anything else test. */
export function isLiveKey(secretKey: string): boolean {
  return /^(sk|rk)_live_/.test(secretKey);
}

/** A Stripe id as a link to its Dashboard page (the id itself is the text, escaped). */
export const stripeLink = (id: unknown, live: boolean, type?: string): Html =>
  typeof id === 'string' && id !== ''
    ? html`<a href="${dashboardUrl(id, live, type ?? typeOfId(id))}" class="id" title="Open in Stripe's Dashboard"
        >${id}</a
      >`
    : html`<span class="muted">—</span>`;
