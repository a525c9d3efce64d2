/**
 * The one write path of the mirror: the stored version (read under a row lock in the opening
 * round trip), `decideWrite` (events/watermark.ts), a refetch from Stripe on a same-second tie,
 * then the upsert of the row with the event's second as its new watermark. Each mirrored Stripe
 * object type is a `Mirror` (its spec, and the customer whose access its rows feed); the handler
 * table and the operator commands (backfill) are both built from them (events/mirror-registry.ts).
 * The advisory lock is the event's key (queues/stripe-event.ts `eventKey`), whatever the mirror.
 */
import type Stripe from 'stripe';
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { hydrateRow, selectForUpdate, upsertRow } from '../db/row-sql';
import type { Statement } from '../db/transaction';
import type { Mirrored } from '../entities/mirrored';
import { STRIPE_API_VERSION } from '../stripe';
import {
  AfterCommitRequest,
  EventHandler,
  HandlerContext,
  HandlerDecision,
  PermanentError,
  StripeObject,
  StripeReadReason,
} from './handler-types';
import { objectId } from './handlers/parse';
import { readStripe } from './handlers/refetch';
import { decideWrite } from './watermark';

/** A mirrored row: Stripe id, tombstone and watermark (entities/mirrored.ts) plus the object's own columns. */
type MirrorRow = Mirrored & ObjectLiteral;

/** What a mapper produces: the row without the bookkeeping columns the write path sets. */
export type MirrorFields<Row> = Omit<Row, 'deleted' | 'watermark' | 'updatedAt'>;

export interface MirrorSpec<Row extends MirrorRow> {
  entity: EntityTarget<Row>;
  /** Validates the Stripe object and maps it to a row (pure; throws PermanentError on bad input). */
  toRow(object: unknown, stored: Row | null, created: number): MirrorFields<Row>;
  /** Current state from Stripe, or 'deleted' when Stripe no longer has it. */
  refetch(ctx: HandlerContext, id: string): Promise<unknown>;
  /** Writes that belong with the row (e.g. subscription items), sent right after its upsert. */
  companionWrites?(object: unknown, row: Row): Statement[];
}

/** A mirrored Stripe object type: how its rows are written. */
export interface Mirror<Row extends MirrorRow = MirrorRow> {
  spec: MirrorSpec<Row>;
  /** Set for the objects the access rule reads: the customer whose answer they feed. */
  accessCustomer?(object: StripeObject): string | null;
}

/** Decides what an event (or a listed snapshot) of `mirror`'s object does to its row. */
export async function decideMirrored<Row extends MirrorRow>(
  ctx: HandlerContext,
  spec: MirrorSpec<Row>,
  deletion: boolean,
): Promise<HandlerDecision> {
  const { event, dataSource } = ctx;
  const id = objectId(event.data.object);
  const stored = hydrateRow<Row>(dataSource, spec.entity, ctx.lockedRows);
  const decision = decideWrite(stored, { created: event.created, deletion });
  if (decision === 'skip') return { outcome: 'skipped', writes: [] };

  let object: unknown = event.data.object;
  let deleted = deletion;
  if (decision === 'refetch') {
    const current = await refetch(ctx, spec, id, 'tie');
    if (current === 'deleted') deleted = true;
    else object = current;
  }
  const write = (from: unknown): Statement[] => {
    const row = { ...spec.toRow(from, stored, event.created), deleted, watermark: event.created } as unknown as Row;
    return [upsertRow(dataSource, spec.entity, row), ...(spec.companionWrites?.(from, row) ?? [])];
  };
  let writes: Statement[];
  try {
    writes = write(object);
  } catch (error) {
    if (!(error instanceof PermanentError) || !isOtherVersion(event.api_version) || object !== event.data.object)
      throw error;
    // The mappers read every shape since 2020-03-02; one they still do not understand is fetched
    // again in the pinned version rather than failed for good.
    const current = await refetch(ctx, spec, id, 'version');
    if (current === 'deleted') deleted = true;
    else object = current;
    try {
      writes = write(object);
    } catch (again) {
      // Said plainly in Bull Board: which version came in, and that the pinned one failed too.
      throw new PermanentError(
        `${(again as Error).message} (event rendered in API version ${event.api_version ?? 'the account default'}; fetched again in ${STRIPE_API_VERSION}, still not readable)`,
        { cause: again },
      );
    }
  }
  return { outcome: object === event.data.object ? 'applied' : 'refetched', writes };
}

/** An event rendered in another API version than the one this engine pins (null: the account default). */
export const isOtherVersion = (apiVersion: string | null | undefined): boolean =>
  apiVersion !== undefined && apiVersion !== STRIPE_API_VERSION;

const refetch = <Row extends MirrorRow>(
  ctx: HandlerContext,
  spec: MirrorSpec<Row>,
  id: string,
  why: StripeReadReason,
): Promise<unknown> => readStripe(ctx, why, `${id} needs a refetch`, () => spec.refetch(ctx, id));

/** The handler of one event type of `mirror`: an upsert, or a deletion (terminal). */
export function mirrorHandler(
  mirror: Mirror,
  deletion: boolean,
  afterCommit?: (object: StripeObject) => AfterCommitRequest[],
): EventHandler {
  return {
    lockedRead: (dataSource, object) => selectForUpdate(dataSource, mirror.spec.entity, objectId(object)),
    decide: (ctx) => decideMirrored(ctx, mirror.spec, deletion),
    ...(mirror.accessCustomer ? { accessCustomer: mirror.accessCustomer } : {}),
    ...(afterCommit ? { afterCommit } : {}),
  };
}

/**
 * The handler table entries of one mirrored object: upserting event types and deleting ones,
 * typed by Stripe's own event names (a typo does not compile), with any after-commit effects.
 */
export function mirrorHandlers<U extends Stripe.Event.Type, D extends Stripe.Event.Type = never>(
  mirror: Mirror,
  types: {
    upserts: readonly U[];
    deletions?: readonly D[];
    afterCommit?: Partial<Record<U | D, (object: StripeObject) => AfterCommitRequest[]>>;
  },
): Record<U | D, EventHandler> {
  const entries = [
    ...types.upserts.map((type) => [type, mirrorHandler(mirror, false, types.afterCommit?.[type])] as const),
    ...(types.deletions ?? []).map((type) => [type, mirrorHandler(mirror, true, types.afterCommit?.[type])] as const),
  ];
  return Object.fromEntries(entries) as Record<U | D, EventHandler>;
}
