/**
 * The handler table and the dispatcher. The table names Stripe's event types with their own
 * handling, typed by Stripe's event names (`satisfies` makes a misspelt type a compile error);
 * after-commit effects are declared in the per-object tables (invoice.created's usage flush in
 * invoice.ts). Every other event whose object has an id goes to that object type's mirror
 * (events/mirror-registry.ts): its typed table, or stripe_objects. Objects without an id and no entry
 * here (balance.available, invoice.upcoming) are acknowledged and not stored.
 */
import type Stripe from 'stripe';
import type { StripeEvent } from '../../queues/stripe-event';
import type { EventHandler } from '../handler-types';
import { mirrorHandler } from '../mirror-write';
import { mirrorOf } from '../mirror-registry';
import { checkoutSessionHandlers } from './checkout-session';
import { customerHandlers } from './customer';
import { entitlementHandlers } from './entitlements';
import { invoiceHandlers } from './invoice';
import { priceHandlers } from './price';
import { productHandlers } from './product';
import { isDeletionType } from './stripe-object';
import { subscriptionHandlers } from './subscription';

export const handlers = {
  ...customerHandlers,
  ...productHandlers,
  ...priceHandlers,
  ...subscriptionHandlers,
  ...invoiceHandlers,
  ...checkoutSessionHandlers,
  ...entitlementHandlers,
} satisfies Partial<Record<Stripe.Event.Type, EventHandler>>;

export type HandledEventType = keyof typeof handlers;

/** Handlers made on demand for (mirror, deletion) pairs reached through the registry. */
const byMirror = new Map<string, EventHandler>();

/** The handler of an event, or undefined when there is nothing to store (no entry, no id). */
export function handlerFor(event: Pick<StripeEvent, 'type' | 'data'>): EventHandler | undefined {
  if (Object.hasOwn(handlers, event.type)) return handlers[event.type as HandledEventType];
  const { id, object } = event.data.object;
  if (typeof id !== 'string' || id.length === 0) return undefined;
  const deletion = isDeletionType(event.type);
  const key = `${String(object)}|${deletion}`;
  let handler = byMirror.get(key);
  if (!handler) byMirror.set(key, (handler = mirrorHandler(mirrorOf(String(object)), deletion)));
  return handler;
}
