/**
 * The handler table: every Stripe event type this service applies, keyed by Stripe's own event
 * names (`satisfies` makes a misspelt type a compile error). After-commit effects are declared in
 * the per-object tables (e.g. invoice.created's usage flush in invoice.ts).
 */
import type Stripe from 'stripe';
import type { EventHandler } from '../handler-types';
import { checkoutSessionHandlers } from './checkout-session';
import { customerHandlers } from './customer';
import { invoiceHandlers } from './invoice';
import { priceHandlers } from './price';
import { productHandlers } from './product';
import { subscriptionHandlers } from './subscription';

export const handlers = {
  ...customerHandlers,
  ...productHandlers,
  ...priceHandlers,
  ...subscriptionHandlers,
  ...invoiceHandlers,
  ...checkoutSessionHandlers,
} satisfies Partial<Record<Stripe.Event.Type, EventHandler>>;

export type HandledEventType = keyof typeof handlers;

export function handlerFor(type: string): EventHandler | undefined {
  return Object.hasOwn(handlers, type) ? handlers[type as HandledEventType] : undefined;
}
