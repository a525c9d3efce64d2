/**
 * Builders of the objects without a typed table (charges, refunds, disputes, payment methods, …)
 * from Stripe's samples in stripe-objects.json, and of the id-less objects some events carry:
 * `balance` and `entitlements.active_entitlement_summary`.
 */
import { merge, now, objectSample, type Json } from './fixtures';
import { idPrefixOf } from './resources';
import { randomId, type StripeObject } from './util';

/**
 * A realistic object of `objectType` (e.g. `'charge'`, `'payment_method'`): Stripe's sample with a
 * fresh id (prefix from the resource table), `created` now when it has one, `livemode` false, then
 * the overrides deep-merged. The samples keep their card details (a payment method's `card.last4`,
 * expiry, fingerprint) so tests can prove they are not stored.
 */
export function object(objectType: string, overrides: Json = {}): StripeObject {
  const o = objectSample(objectType);
  if ('id' in o) o.id = randomId(idPrefixOf(objectType), 24);
  if (typeof o.created === 'number') o.created = now();
  if ('livemode' in o) o.livemode = false;
  return merge(o, overrides) as StripeObject;
}

/** A `balance` (no id): `available` and `pending` amounts in usd. */
export function balance(available = 0, pending = 0): Json {
  const b = objectSample('balance');
  b.available = [{ amount: available, currency: 'usd', source_types: { card: available } }];
  b.pending = [{ amount: pending, currency: 'usd', source_types: { card: pending } }];
  b.livemode = false;
  return b;
}

/** One feature a customer is entitled to. */
export interface EntitlementSpec {
  lookup_key: string;
  /** `feat_…` id (fresh when absent). */
  feature?: string;
  /** `ent_…` id (fresh when absent). */
  id?: string;
}

/** An `entitlements.active_entitlement` (feature as an id, as Stripe renders it unexpanded). */
export function activeEntitlement(spec: EntitlementSpec): StripeObject {
  return merge(objectSample('entitlements.active_entitlement'), {
    id: spec.id ?? randomId('ent_test', 28),
    feature: spec.feature ?? randomId('feat_test', 28),
    lookup_key: spec.lookup_key,
    livemode: false,
  }) as StripeObject;
}

/**
 * An `entitlements.active_entitlement_summary` (no id) for `customer`. `hasMore` marks the embedded
 * list as a first page only, as Stripe does for customers with many entitlements.
 */
export function entitlementSummary(
  customer: string,
  entitlements: Array<EntitlementSpec | StripeObject>,
  hasMore = false,
): Json {
  const s = objectSample('entitlements.active_entitlement_summary');
  const data = entitlements.map((e) => ('object' in e ? structuredClone(e) : activeEntitlement(e)));
  return merge(s, {
    customer,
    livemode: false,
    entitlements: { object: 'list', data, has_more: hasMore, url: '/v1/customer/entitlements' },
  });
}
