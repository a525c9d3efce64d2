/**
 * Any Stripe object with an `id` and no typed table → stripe_objects (contract): its newest
 * state as JSON minus payment method details (lib/payment-details.ts), with its customer when it has one, under the same
 * exactly-once, watermark and tie-refetch rules as every mirror; `*.deleted` marks it deleted.
 */
import { StripeObjectRow } from '../../entities';
import { withoutPaymentDetails } from '../../lib/payment-details';
import type { HandlerContext } from '../handler-types';
import type { Mirror, MirrorFields } from '../mirror-write';
import { retrievePath } from './object-paths';
import { customerOf, objectId } from './parse';
import { retrieveOrDeleted } from './refetch';

type Loose = Record<string, unknown>;

export function mapStripeObject(object: unknown): MirrorFields<StripeObjectRow> {
  const o = object as Loose;
  return {
    stripeId: objectId(o),
    type: typeof o.object === 'string' ? o.object : 'unknown',
    stripeCustomerId: customerOf(o),
    data: withoutPaymentDetails(o),
  };
}

/** The object as Stripe has it now, in the pinned version; its event's copy when there is no URL to ask. */
async function refetchObject(ctx: HandlerContext, id: string): Promise<unknown> {
  const path = retrievePath(String(ctx.event.data.object.object), id);
  if (!path) return ctx.event.data.object;
  return retrieveOrDeleted(() => ctx.stripe.rawRequest('GET', path) as Promise<Loose>);
}

export const stripeObjectMirror: Mirror<StripeObjectRow> = {
  spec: { entity: StripeObjectRow, toRow: (object) => mapStripeObject(object), refetch: refetchObject },
};

/** `*.deleted` (coupon.deleted, customer.tax_id.deleted, …) is terminal; every other type upserts. */
export const isDeletionType = (type: string): boolean => type.endsWith('.deleted');
