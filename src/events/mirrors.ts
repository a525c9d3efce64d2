/**
 * The registry of mirrored Stripe object types, keyed by the object's own `object` value. The
 * operator commands (backfill) apply listed objects through it, with the same lock and
 * watermark rule as the events of that object (events/snapshot.ts).
 */
import { checkoutSessionMirror } from './handlers/checkout-session';
import { customerMirror } from './handlers/customer';
import { invoiceMirror } from './handlers/invoice';
import { priceMirror } from './handlers/price';
import { productMirror } from './handlers/product';
import { subscriptionMirror } from './handlers/subscription';
import type { Mirror } from './mirror';

export const MIRRORS = {
  customer: customerMirror,
  product: productMirror,
  price: priceMirror,
  subscription: subscriptionMirror,
  invoice: invoiceMirror,
  'checkout.session': checkoutSessionMirror,
} satisfies Record<string, Mirror>;

export type MirroredObjectType = keyof typeof MIRRORS;
