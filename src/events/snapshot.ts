/**
 * Applies an object's current state as listed from Stripe (backfill) through the same handler,
 * advisory lock and watermark rule as an event, but without a processed_events row: there is no
 * Stripe event id to deduplicate, and re-applying a snapshot is harmless.
 *
 * The caller picks `watermark`, the second the snapshot counts as (see ops/backfill.ts for why
 * it is "listing time minus a safety margin"): a row written by a newer event is skipped, an
 * older one is replaced, and the same second is refetched from Stripe.
 */
import type { StripeEvent } from '../queues/stripe-event';
import type { ApplyOutcome } from './handler-types';
import { handlerFor, HandledEventType } from './handlers';
import { handlerContext, LOCK_SQL, StripeEventDeps } from './apply';
import { withOpenedTransaction } from '../db/transaction';

export async function applySnapshot(
  deps: StripeEventDeps,
  type: HandledEventType,
  object: { id: string; object: string },
  watermark: number,
): Promise<ApplyOutcome> {
  const handler = handlerFor(type);
  if (!handler) throw new Error(`no handler for ${type}`);
  // A synthetic envelope: only `created` (the watermark) and `data.object` are read by handlers.
  const event: StripeEvent = { id: 'evt_snapshot', object: 'event', type, created: watermark, data: { object } };
  const opening = [{ sql: LOCK_SQL, values: [handler.lockKey(event.data.object)] }, handler.lockedRead(deps.dataSource, event.data.object)];
  return withOpenedTransaction(deps.dataSource, opening, (manager, [, stored], writes) =>
    handler.apply(handlerContext(deps, manager, event, stored.rows, writes, true)));
}
