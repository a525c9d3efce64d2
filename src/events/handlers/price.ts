/** price.created | price.updated | price.deleted → prices (amounts cached for display only). */
import { z } from 'zod';
import { Price } from '../../entities';
import { Mirror, MirrorFields, mirrorHandlers } from '../mirror-write';
import { parseObject, stripeRef } from './parse';
import { retrieveOrDeleted } from './refetch';

const priceSchema = z.object({
  id: z.string().min(1),
  object: z.literal('price'),
  product: stripeRef,
  unit_amount: z.number().int().nullish(),
  currency: z.string().min(3),
  active: z.boolean(),
  type: z.string(),
  recurring: z
    .object({ interval: z.string(), usage_type: z.string().nullish(), meter: z.string().nullish() })
    .nullish(),
});

export function mapPrice(object: unknown): MirrorFields<Price> {
  const p = parseObject(priceSchema, object, 'price');
  return {
    stripeId: p.id,
    stripeProductId: p.product,
    unitAmount: p.unit_amount ?? null,
    currency: p.currency,
    active: p.active,
    type: p.type,
    recurringInterval: p.recurring?.interval ?? null,
    usageType: p.recurring?.usage_type ?? null,
    meter: p.recurring?.meter ?? null,
  };
}

export const priceMirror: Mirror<Price> = {
  spec: {
    entity: Price,
    toRow: (object) => mapPrice(object),
    refetch: (ctx, id) => retrieveOrDeleted(() => ctx.stripe.prices.retrieve(id)),
  },
};

export const priceHandlers = mirrorHandlers(priceMirror, {
  upserts: ['price.created', 'price.updated'],
  deletions: ['price.deleted'],
});
