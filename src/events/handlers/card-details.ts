/**
 * What of a Stripe object is never stored: card numbers, CVCs, the last four digits, expiry dates
 * and fingerprints, wherever they sit (a payment method's `card`, a charge's
 * `payment_method_details.card`, a setup attempt, a source, a card on a customer). Ids (`pm_…`,
 * `card_…`) and non-identifying facts (brand, country, funding, checks) stay.
 */
export const DROPPED_CARD_FIELDS: readonly string[] = [
  'number',
  'cvc',
  'last4',
  'dynamic_last4',
  'exp_month',
  'exp_year',
  'fingerprint',
  'iin',
];

const dropped = new Set(DROPPED_CARD_FIELDS);

/** A deep copy of `value` without any of DROPPED_CARD_FIELDS, at any depth. Pure. */
export function withoutCardDetails<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutCardDetails) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) if (!dropped.has(key)) out[key] = withoutCardDetails(inner);
  return out as T;
}
