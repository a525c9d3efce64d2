/** Validation helpers shared by the per-object mappers. */
import { z } from 'zod';
import { referencedId } from '../../queues/stripe-event';
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

/** The object's id; an object a mirror must store but that has none can never be applied. */
export function objectId(object: { id?: unknown; object?: unknown }): string {
  if (typeof object.id === 'string' && object.id.length > 0) return object.id;
  throw new PermanentError(`a ${String(object.object ?? 'Stripe object')} without an id cannot be mirrored`);
}

/** The customer an object belongs to (`customer` as an id or an expanded object), if any. */
export const customerOf = (object: Record<string, unknown>): string | null => referencedId(object.customer) ?? null;
