/**
 * Applies an object's current state as listed from Stripe (backfill) through the same mirror,
 * advisory lock and watermark rule as an event of that object, but without a processed_events
 * row: there is no Stripe event id to deduplicate, and re-applying a snapshot is harmless.
 *
 * The caller picks `watermark`, the second the snapshot counts as (see ops/backfill.ts for why
 * it is "listing time minus a safety margin"): a row written by a newer event is skipped, an
 * older one is replaced, and the same second is refetched from Stripe.
 */
import { selectForUpdate } from '../db/row-sql';
import { withOpenedTransaction } from '../db/transaction';
import type { StripeEvent } from '../queues/stripe-event';
import { publishAccessChanges, type StripeEventDeps } from './apply';
import { accessStep } from './access-step';
import { locksStatement } from './event-transaction';
import type { ApplyOutcome, StripeObject } from './handler-types';
import { decideMirrored, Mirror } from './mirror-write';
import { mirrorOf } from './mirror-registry';

export async function applySnapshot(
  deps: Pick<StripeEventDeps, 'dataSource' | 'stripe' | 'onStripeRead' | 'access' | 'log'>,
  type: string,
  object: StripeObject & { id: string },
  watermark: number,
): Promise<ApplyOutcome> {
  const mirror: Mirror = mirrorOf(type);
  // A synthetic envelope: only `created` (the watermark) and `data.object` are read by mirrors.
  const event: StripeEvent = {
    id: 'evt_snapshot',
    object: 'event',
    type: `${type}.snapshot`,
    created: watermark,
    data: { object },
  };
  const opening = [
    locksStatement([mirror.lockKey(object)]),
    selectForUpdate(deps.dataSource, mirror.spec.entity, object.id),
  ];
  const { outcome, changes } = await withOpenedTransaction(deps.dataSource, opening, async ([, stored], run) => {
    const ctx = {
      dataSource: deps.dataSource,
      event,
      stripe: deps.stripe,
      onStripeRead: deps.onStripeRead ?? (() => {}),
      allowStripeReads: true,
      lockedRows: stored.rows,
    };
    // A snapshot showing the object deleted (a customer's tombstone) is a deletion: terminal, as its event.
    const decision = await decideMirrored(ctx, mirror.spec, object.deleted === true);
    const customer = decision.outcome === 'skipped' ? null : mirror.accessCustomer?.(object);
    const step = await accessStep(run, decision.writes, new Set(customer ? [customer] : []), deps.access);
    return { result: { outcome: decision.outcome, changes: step.changes }, closing: step.closing };
  });
  await publishAccessChanges(deps, changes, [mirror.lockKey(object)]);
  return outcome;
}
