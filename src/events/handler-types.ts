/** The shapes shared by the event engine (apply.ts, batcher.ts) and the per-object handlers. */
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { Statement } from '../db/transaction';
import type { UsageFlushRequest } from '../queues/payloads';
import type { StripeEvent } from '../queues/stripe-event';

/** What applying one event did to the mirror. */
export type ApplyOutcome = 'applied' | 'skipped' | 'refetched';

export type StripeObject = StripeEvent['data']['object'];

/**
 * Why a handler read from Stripe: a same-second tie, an object in an older API version's shape
 * the mappers do not understand (fetched again in the pinned version), or a list the event only
 * started (an entitlement summary with has_more).
 */
export type StripeReadReason = 'tie' | 'version' | 'list';

export interface HandlerContext {
  dataSource: DataSource;
  event: StripeEvent;
  stripe: Stripe;
  /** Told every Stripe read made while applying, with its reason. */
  onStripeRead: (reason: StripeReadReason) => void;
  /**
   * False when the event shares its transaction with others (events/event-transaction.ts): a
   * handler that needs Stripe throws NeedsStripeRead instead (handlers/refetch.ts `readStripe`), and
   * the event is applied on its own, so one slow Stripe call never holds the locks of a whole batch.
   */
  allowStripeReads: boolean;
  /** Rows of the handler's `lockedRead`, run in the transaction's opening round trip. */
  lockedRows: ReadonlyArray<Record<string, unknown>>;
}

/** A handler's decision: what happened, and the writes that make it so (sent with COMMIT). */
export interface HandlerDecision {
  outcome: ApplyOutcome;
  writes: Statement[];
}

/** Work outside PostgreSQL that an event asks for once its transaction committed. */
export type AfterCommitRequest = UsageFlushRequest;

/** The implementations of the after-commit effects, injected by the worker role (service.ts). */
export type AfterCommitEffects = {
  [E in AfterCommitRequest['effect']]?: (request: Extract<AfterCommitRequest, { effect: E }>) => Promise<void>;
};

/**
 * How one event type is applied. Its advisory lock is not the handler's choice: every event takes
 * the lock of its key (queues/stripe-event.ts `eventKey`), the key its queue partition follows.
 */
export interface EventHandler {
  /**
   * The stored row `decide` reads, under a row lock (SELECT … FOR UPDATE). Known before the
   * transaction starts, so it travels with BEGIN, the advisory lock and the dedupe insert.
   */
  lockedRead(dataSource: DataSource, object: StripeObject): Statement;
  decide(ctx: HandlerContext): Promise<HandlerDecision>;
  /** The customer whose access answer this object's rows feed (customers, subscriptions, invoices). */
  accessCustomer?(object: StripeObject): string | null;
  /**
   * Effects to run after the commit, derived from the object alone (pure). They run again when a
   * retried job finds its event applied already, so their implementations must be idempotent.
   */
  afterCommit?(object: StripeObject): AfterCommitRequest[];
}

/** Thrown where a handler would read from Stripe but `allowStripeReads` is false. */
export class NeedsStripeRead extends Error {
  override name = 'NeedsStripeRead';
}

/** A payload that can never be applied, however often it is retried. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}
