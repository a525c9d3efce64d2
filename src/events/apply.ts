/**
 * Applies one Stripe event exactly once. In one transaction: take the customer's advisory lock
 * (one lock per transaction, so no lock-order deadlocks), insert the event id into
 * processed_events (a conflict means it was applied already: stop), read the stored row under a
 * row lock, then let the handler decide and queue its writes, which are sent with COMMIT. The
 * insert and the handler's writes commit or roll back together.
 *
 * Under load the worker applies many events per transaction (jobs/event-batch.ts); this is the
 * path of a lone event, and of any event a batch could not take.
 */
import type Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logger';
import { parseStripeEvent, type StripeEvent } from '../queues/stripe-event';
import { ApplyOutcome, EventHandler, HandlerContext, PermanentError } from './handler-types';
import { handlerFor } from './handlers';
import { Statement, withOpenedTransaction } from '../db/transaction';

export type EventOutcome = ApplyOutcome | 'duplicate' | 'ignored';

export interface StripeEventDeps {
  dataSource: DataSource;
  stripe: Stripe;
  log: Logger;
  onStripeRead?: () => void;
  /**
   * Runs after the event's transaction committed (or found it applied already), for side effects
   * outside PostgreSQL such as asking for a usage flush. A failure retries the job; the dedupe
   * guard then skips the mirror write and this hook runs again, so it must be idempotent.
   */
  afterCommit?: (event: StripeEvent, outcome: EventOutcome) => Promise<void>;
}

export const LOCK_SQL = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';
const DEDUPE_SQL = `INSERT INTO processed_events (stripe_event_id, type, event_created) VALUES ($1, $2, $3)
  ON CONFLICT (stripe_event_id) DO NOTHING RETURNING stripe_event_id`;

/** A validated event with its handler, advisory lock key and locked read, ready for a transaction. */
export interface PreparedEvent {
  event: StripeEvent;
  handler: EventHandler;
  lockKey: string;
  lockedRead: Statement;
}

/** Validates the envelope (PermanentError if it is not an event); null for a type not applied here. */
export function prepareStripeEvent(dataSource: DataSource, payload: unknown): PreparedEvent | null {
  const parsed = parseStripeEvent(payload);
  if (!parsed.ok) throw new PermanentError(`not a Stripe event: ${parsed.reason}`);
  const event = parsed.event;
  const handler = handlerFor(event.type);
  if (!handler) return null;
  const object = event.data.object;
  return { event, handler, lockKey: handler.lockKey(object), lockedRead: handler.lockedRead(dataSource, object) };
}

/** The context a handler runs in, inside an opened transaction. */
export function handlerContext(
  deps: StripeEventDeps,
  manager: EntityManager,
  event: StripeEvent,
  lockedRows: HandlerContext['lockedRows'],
  writes: Statement[],
  allowStripeReads: boolean,
): HandlerContext {
  return { manager, event, stripe: deps.stripe, onStripeRead: deps.onStripeRead ?? (() => {}), lockedRows, writes, allowStripeReads };
}

export async function applyStripeEvent(deps: StripeEventDeps, payload: unknown): Promise<EventOutcome> {
  const prepared = prepareStripeEvent(deps.dataSource, payload);
  return prepared ? applyPreparedEvent(deps, prepared) : 'ignored';
}

export async function applyPreparedEvent(deps: StripeEventDeps, prepared: PreparedEvent): Promise<EventOutcome> {
  const { event, handler } = prepared;
  // BEGIN, the lock, the dedupe insert and the locked read of the stored row travel in one round
  // trip; the handler's writes and COMMIT in a second one (see transaction.ts).
  const opening = [
    { sql: LOCK_SQL, values: [prepared.lockKey] },
    { sql: DEDUPE_SQL, values: [event.id, event.type, event.created] },
    prepared.lockedRead,
  ];
  const outcome = await withOpenedTransaction(deps.dataSource, opening, async (manager, [, inserted, stored], writes): Promise<EventOutcome> => {
    if (!inserted.rowCount) return 'duplicate';
    return handler.apply(handlerContext(deps, manager, event, stored.rows, writes, true));
  });
  await deps.afterCommit?.(event, outcome);
  return outcome;
}
