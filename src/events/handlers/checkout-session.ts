/** checkout.session.completed → checkout_sessions: which customer bought what, for provisioning. */
import { z } from 'zod';
import { CheckoutSession } from '../../entities';
import { Mirror, MirrorFields, mirrorHandlers } from '../mirror-write';
import { parseObject, stripeRef } from './parse';
import { retrieveOrDeleted } from './refetch';

const sessionSchema = z.object({
  id: z.string().startsWith('cs_'),
  object: z.literal('checkout.session'),
  customer: stripeRef.nullish(),
  subscription: stripeRef.nullish(),
  mode: z.string().min(1),
  status: z.string().nullish(),
  payment_status: z.string().min(1),
  client_reference_id: z.string().nullish(),
});

export function mapCheckoutSession(object: unknown): MirrorFields<CheckoutSession> {
  const s = parseObject(sessionSchema, object, 'checkout session');
  return {
    stripeId: s.id,
    stripeCustomerId: s.customer ?? null,
    stripeSubscriptionId: s.subscription ?? null,
    mode: s.mode,
    status: s.status ?? null,
    paymentStatus: s.payment_status,
    clientReferenceId: s.client_reference_id ?? null,
  };
}

export const checkoutSessionMirror: Mirror<CheckoutSession> = {
  spec: {
    entity: CheckoutSession,
    toRow: (object) => mapCheckoutSession(object),
    refetch: (ctx, id) => retrieveOrDeleted(() => ctx.stripe.checkout.sessions.retrieve(id)),
  },
};

export const checkoutSessionHandlers = mirrorHandlers(checkoutSessionMirror, {
  upserts: [
    'checkout.session.completed',
    'checkout.session.async_payment_succeeded',
    'checkout.session.async_payment_failed',
    'checkout.session.expired',
  ],
});
