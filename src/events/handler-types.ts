/** The shapes shared by the event dispatcher and the per-object handlers. */
import type Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import type { StripeEvent } from '../queues/stripe-event';
import type { Statement } from '../db/transaction';

/** What applying one event did to the mirror. */
export type ApplyOutcome = 'applied' | 'skipped' | 'refetched';

export interface HandlerContext {
  /** The transaction's manager (same connection and transaction), for anything beyond the locked read and `writes`. */
  manager: EntityManager;
  event: StripeEvent;
  stripe: Stripe;
  /** Counts Stripe reads made while applying (ties only). */
  onStripeRead: () => void;
  /**
   * False inside a batch of events (jobs/event-batch.ts): a handler that needs Stripe throws
   * NeedsStripeRead instead, and the event is applied on its own, so one slow Stripe call never
   * holds the locks of a whole batch.
   */
  allowStripeReads: boolean;
  /** Rows of the handler's `lockedRead`, run in the transaction's opening round trip. */
  lockedRows: ReadonlyArray<Record<string, unknown>>;
  /**
   * The handler's writes: sent after `apply` returns, in order, together with COMMIT in one
   * round trip (jobs/transaction.ts). A failing write rolls the whole transaction back.
   */
  writes: Statement[];
}

export interface EventHandler {
  /** Key of the advisory lock that serializes this event with others of the same customer. */
  lockKey(object: StripeEvent['data']['object']): string;
  /**
   * The stored row `apply` reads, under a row lock (SELECT … FOR UPDATE). Known before the
   * transaction starts, so it travels with BEGIN, the advisory lock and the dedupe insert.
   */
  lockedRead(dataSource: DataSource, object: StripeEvent['data']['object']): Statement;
  apply(ctx: HandlerContext): Promise<ApplyOutcome>;
}

/** Thrown where a handler would read from Stripe but `allowStripeReads` is false. */
export class NeedsStripeRead extends Error {
  override name = 'NeedsStripeRead';
}

/** A payload that can never be applied, however often it is retried. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}
