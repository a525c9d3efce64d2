/**
 * Applies one Stripe event exactly once. In one transaction: take the customer's advisory lock
 * (one lock per transaction, so no lock-order deadlocks), insert the event id into
 * processed_events (a conflict means it was applied already: stop), read the stored row under a
 * row lock, then let the handler decide and queue its writes, which are sent with COMMIT. The
 * insert and the handler's writes commit or roll back together.
 */
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { parseStripeEvent, type StripeEvent } from '../queues/stripe-event';
import { ApplyOutcome, PermanentError } from './handler-types';
import { handlerFor } from './handlers';
import { eventLogFields } from './log-fields';
import { withOpenedTransaction } from './transaction';

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

export async function applyStripeEvent(deps: StripeEventDeps, payload: unknown): Promise<EventOutcome> {
  const parsed = parseStripeEvent(payload);
  if (!parsed.ok) throw new PermanentError(`not a Stripe event: ${parsed.reason}`);
  const event = parsed.event;
  const handler = handlerFor(event.type);
  if (!handler) return 'ignored';

  const log = deps.log.child(eventLogFields(event));
  // BEGIN, the lock, the dedupe insert and the locked read of the stored row travel in one round
  // trip; the handler's writes and COMMIT in a second one (see transaction.ts).
  const opening = [
    { sql: LOCK_SQL, values: [handler.lockKey(event.data.object)] },
    { sql: DEDUPE_SQL, values: [event.id, event.type, event.created] },
    handler.lockedRead(deps.dataSource, event.data.object),
  ];
  const outcome = await withOpenedTransaction(deps.dataSource, opening, async (manager, [, inserted, stored], writes): Promise<EventOutcome> => {
    if (!inserted.rowCount) return 'duplicate';
    return handler.apply({
      manager, event, stripe: deps.stripe, log, onStripeRead: deps.onStripeRead ?? (() => {}), lockedRows: stored.rows, writes,
    });
  });
  await deps.afterCommit?.(event, outcome);
  return outcome;
}
