/** The shapes shared by the event dispatcher and the per-object handlers. */
import type Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import type { Logger } from '../logger';
import type { StripeEvent } from '../queues/stripe-event';

/** What applying one event did to the mirror. */
export type ApplyOutcome = 'applied' | 'skipped' | 'refetched';

export interface HandlerContext {
  /** The transaction's manager: every read and write of the handler goes through it. */
  manager: EntityManager;
  event: StripeEvent;
  stripe: Stripe;
  log: Logger;
  /** Counts Stripe reads made while applying (ties only). */
  onStripeRead: () => void;
}

export interface EventHandler {
  /** Key of the advisory lock that serializes this event with others of the same customer. */
  lockKey(object: StripeEvent['data']['object']): string;
  apply(ctx: HandlerContext): Promise<ApplyOutcome>;
}

/** A payload that can never be applied, however often it is retried. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}
