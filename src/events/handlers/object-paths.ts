/**
 * Where the pinned API retrieves and lists each object type kept in stripe_objects, for the tie
 * refetch and for backfill. Object types not listed here are still stored from events; a
 * same-second tie between two of their events keeps the later-applied one (there is no URL to ask).
 */
export const OBJECT_PATHS: Readonly<Record<string, string>> = {
  charge: 'charges',
  refund: 'refunds',
  dispute: 'disputes',
  payment_intent: 'payment_intents',
  payment_method: 'payment_methods',
  setup_intent: 'setup_intents',
  credit_note: 'credit_notes',
  subscription_schedule: 'subscription_schedules',
  coupon: 'coupons',
  promotion_code: 'promotion_codes',
  quote: 'quotes',
  tax_rate: 'tax_rates',
  tax_id: 'tax_ids',
  invoiceitem: 'invoiceitems',
  plan: 'plans',
  payout: 'payouts',
  transfer: 'transfers',
  balance_transaction: 'balance_transactions',
  review: 'reviews',
  'billing.meter': 'billing/meters',
  'radar.early_fraud_warning': 'radar/early_fraud_warnings',
  application_fee: 'application_fees',
  file: 'files',
  mandate: 'mandates',
  payment_link: 'payment_links',
};

/** The retrieve path of `id`, or null when the object type has none here. */
export function retrievePath(objectType: string, id: string): string | null {
  const segment = OBJECT_PATHS[objectType];
  return segment ? `/v1/${segment}/${encodeURIComponent(id)}` : null;
}
