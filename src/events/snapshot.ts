/**
 * Applies an object's current state as listed from Stripe (backfill) through the one commit path
 * (events/apply.ts `commitAndPublish`) with the same mirror, advisory lock (its event key) and
 * watermark rule as an event of that object, but without a processed_events row: there is no
 * Stripe event id to deduplicate, and re-applying a snapshot is harmless.
 *
 * The caller picks `watermark`, the second the snapshot counts as (see ops/backfill.ts for why
 * it is "listing time minus a safety margin"): a row written by a newer event is skipped, an
 * older one is replaced, and the same second is refetched from Stripe.
 */
import type { StripeEvent } from '../queues/stripe-event';
import { commitAndPublish, PrepareDeps, prepareItem, type StripeEventDeps } from './apply';
import type { ApplyOutcome, StripeObject } from './handler-types';
import { mirrorHandler } from './mirror-write';
import { mirrorOf } from './mirror-registry';

export async function applySnapshot(
  deps: PrepareDeps & Pick<StripeEventDeps, 'access' | 'log'>,
  type: string,
  object: StripeObject & { id: string },
  watermark: number,
): Promise<ApplyOutcome> {
  // A synthetic envelope: only `created` (the watermark) and `data.object` are read by mirrors.
  const event: StripeEvent = {
    id: 'evt_snapshot',
    object: 'event',
    type: `${type}.snapshot`,
    created: watermark,
    data: { object },
  };
  // A snapshot showing the object deleted (a customer's tombstone) is a deletion: terminal, as its event.
  const item = prepareItem(deps, event, mirrorHandler(mirrorOf(type), object.deleted === true), false);
  const committed = await commitAndPublish(deps, { items: [item] });
  if (committed.stage !== 'published') throw committed.error;
  const [result] = committed.results;
  if ('setAside' in result) throw result.error;
  if ('effectFailed' in result) throw result.effectFailed;
  // Never 'duplicate': a snapshot has no dedupe row.
  return result.outcome as ApplyOutcome;
}
