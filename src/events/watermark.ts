/**
 * The ordering rule of the mirror, as one pure decision.
 *
 * Every mirrored row stores `watermark`: the `created` second of the newest event applied to it,
 * and `deleted`, a tombstone. For an incoming event about that object:
 *
 *   no row yet                      -> apply   (first sight, whatever the event)
 *   row is deleted                  -> skip    (Stripe never revives a deleted object)
 *   event is a deletion             -> apply   (deletion is terminal, so it wins at any age)
 *   event newer than the watermark  -> apply
 *   event older than the watermark  -> skip    (late delivery; newer state is stored)
 *   same second                     -> refetch (created has 1 s resolution, so order is unknown:
 *                                               ask Stripe for the object's current state)
 */
export type WriteDecision = 'apply' | 'skip' | 'refetch';

export interface StoredVersion {
  watermark: number;
  deleted: boolean;
}

export interface IncomingVersion {
  created: number;
  deletion: boolean;
}

export function decideWrite(stored: StoredVersion | null, incoming: IncomingVersion): WriteDecision {
  if (stored === null) return 'apply';
  if (stored.deleted) return 'skip';
  if (incoming.deletion) return 'apply';
  if (incoming.created > stored.watermark) return 'apply';
  if (incoming.created < stored.watermark) return 'skip';
  return 'refetch';
}
