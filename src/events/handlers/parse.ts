/** Validation helpers shared by the per-object mappers. */
import { z } from 'zod';
import { PermanentError } from '../handler-types';

/** A Stripe reference that may arrive as an id or as the expanded object. */
export const stripeRef = z.union([z.string().min(1), z.object({ id: z.string().min(1) }).transform((o) => o.id)]);

/**
 * Parses a Stripe object with `schema`; a mismatch is permanent (retrying cannot fix a payload).
 * Handler schemas are plain z.object: unknown keys are dropped, not copied. Mappers read only what
 * they declare, and copying every key of a Stripe object (z.looseObject) made mapping ~4x slower.
 */
export function parseObject<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new PermanentError(`malformed ${what}: ${issue.path.join('.') || 'object'}: ${issue.message}`);
}

/** Lock key for objects that belong to a customer: every event of one customer serializes. */
export const byCustomer = (object: Record<string, unknown>): string => {
  const customer = stripeRef.safeParse(object.customer);
  return customer.success ? customer.data : String(object.id);
};

/** Lock key for objects with no customer (products, prices). */
export const byId = (object: { id: string }): string => object.id;
