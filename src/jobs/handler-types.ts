/** The shapes shared by the event dispatcher and the per-object handlers. */
import type Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logger';
import type { StripeEvent } from '../queues/stripe-event';
import type { Statement } from './transaction';

/** What applying one event did to the mirror. */
export type ApplyOutcome = 'applied' | 'skipped' | 'refetched';

export interface HandlerContext {
  /** The transaction's manager (same connection and transaction), for anything beyond the locked read and `writes`. */
  manager: EntityManager;
  event: StripeEvent;
  stripe: Stripe;
  log: Logger;
  /** Counts Stripe reads made while applying (ties only). */
  onStripeRead: () => void;
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

/** A payload that can never be applied, however often it is retried. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}
