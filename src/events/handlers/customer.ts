/** customer.created | customer.updated | customer.deleted → customers. */
import { z } from 'zod';
import { Customer } from '../../entities';
import { Mirror, MirrorFields, mirrorHandlers } from '../mirror-write';
import { objectId, parseObject } from './parse';
import { retrieveOrDeleted } from './refetch';

const customerSchema = z.object({
  id: z.string().startsWith('cus_'),
  object: z.literal('customer'),
  email: z.string().nullish(),
  name: z.string().nullish(),
});

export function mapCustomer(object: unknown): MirrorFields<Customer> {
  const c = parseObject(customerSchema, object, 'customer');
  return { stripeId: c.id, email: c.email ?? null, name: c.name ?? null };
}

export const customerMirror: Mirror<Customer> = {
  accessCustomer: objectId,
  spec: {
    entity: Customer,
    toRow: (object) => mapCustomer(object),
    refetch: (ctx, id) => retrieveOrDeleted(() => ctx.stripe.customers.retrieve(id)),
  },
};

export const customerHandlers = mirrorHandlers(customerMirror, {
  upserts: ['customer.created', 'customer.updated'],
  deletions: ['customer.deleted'],
});
