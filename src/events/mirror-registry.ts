/**
 * The registry of mirrors, keyed by the Stripe object's own `object` value: the typed tables,
 * and stripe_objects for every other object with an id. The dispatcher (handlers/index.ts) falls
 * back on it for event types the table does not name, and the operator commands (backfill) apply
 * listed objects through it (events/snapshot.ts), with the same lock and watermark rule.
 */
import { checkoutSessionMirror } from './handlers/checkout-session';
import { customerMirror } from './handlers/customer';
import { invoiceMirror } from './handlers/invoice';
import { priceMirror } from './handlers/price';
import { productMirror } from './handlers/product';
import { stripeObjectMirror } from './handlers/stripe-object';
import { subscriptionMirror } from './handlers/subscription';
import type { Mirror } from './mirror-write';

/** Object types with a typed table. */
export const TYPED_MIRRORS = {
  customer: customerMirror,
  product: productMirror,
  price: priceMirror,
  subscription: subscriptionMirror,
  invoice: invoiceMirror,
  'checkout.session': checkoutSessionMirror,
} satisfies Record<string, Mirror>;

export type TypedObjectType = keyof typeof TYPED_MIRRORS;

/** The mirror of an object type: its typed table, else stripe_objects. */
export function mirrorOf(objectType: string): Mirror {
  return Object.hasOwn(TYPED_MIRRORS, objectType) ? TYPED_MIRRORS[objectType as TypedObjectType] : stripeObjectMirror;
}
