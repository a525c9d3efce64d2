/**
 * The Stripe event envelope: what a verified body must look like to be enqueued (the webhook
 * route answers 400 otherwise) and what the worker re-validates before acting (a permanent
 * failure otherwise). Only the envelope is checked here; each handler validates its object.
 */
import { z } from 'zod';

export const stripeEventSchema = z.object({
  id: z.string().regex(/^evt_[A-Za-z0-9_]+$/, 'must be an evt_ id'),
  object: z.literal('event'),
  type: z.string().min(1),
  created: z.number().int().positive(),
  livemode: z.boolean().optional(),
  data: z.object({
    object: z.looseObject({ id: z.string().min(1), object: z.string().min(1) }),
  }),
});

export type StripeEvent = z.infer<typeof stripeEventSchema>;

/** Returns the event, or a one-line reason it is not a Stripe event. */
export function parseStripeEvent(value: unknown): { ok: true; event: StripeEvent } | { ok: false; reason: string } {
  const result = stripeEventSchema.safeParse(value);
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0];
  return { ok: false, reason: `${issue.path.join('.') || 'body'}: ${issue.message}` };
}
