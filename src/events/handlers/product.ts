/** product.created | product.updated | product.deleted → products. */
import { z } from 'zod';
import { Product } from '../../entities';
import { Mirror, MirrorFields, mirrorHandlers } from '../mirror-write';
import { parseObject } from './parse';
import { retrieveOrDeleted } from './refetch';

const productSchema = z.object({
  id: z.string().min(1),
  object: z.literal('product'),
  name: z.string(),
  active: z.boolean(),
});

export function mapProduct(object: unknown): MirrorFields<Product> {
  const p = parseObject(productSchema, object, 'product');
  return { stripeId: p.id, name: p.name, active: p.active };
}

export const productMirror: Mirror<Product> = {
  spec: {
    entity: Product,
    toRow: (object) => mapProduct(object),
    refetch: (ctx, id) => retrieveOrDeleted(() => ctx.stripe.products.retrieve(id)),
  },
};

export const productHandlers = mirrorHandlers(productMirror, {
  upserts: ['product.created', 'product.updated'],
  deletions: ['product.deleted'],
});
