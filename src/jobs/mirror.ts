/**
 * The one write path of the mirror: read the stored version under a row lock, decide with
 * `decideWrite` (jobs/watermark.ts), refetch from Stripe on a same-second tie, then upsert
 * the row with the event's second as its new watermark.
 */
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { Mirrored } from '../entities/mirrored';
import type { ApplyOutcome, EventHandler, HandlerContext } from './handler-types';
import { selectForUpdate, upsertRow } from './row-sql';
import { decideWrite } from './watermark';

/** A mirrored row: Stripe id, tombstone and watermark (entities/mirrored.ts) plus the object's own columns. */
type MirrorRow = Mirrored & ObjectLiteral;

/** What a mapper produces: the row without the bookkeeping columns the write path sets. */
export type MirrorFields<Row> = Omit<Row, 'deleted' | 'watermark' | 'updatedAt'>;

export interface MirrorSpec<Obj, Row extends MirrorRow> {
  entity: EntityTarget<Row>;
  /** Validates the Stripe object and maps it to a row (pure; throws PermanentError on bad input). */
  toRow(object: unknown, stored: Row | null, created: number): MirrorFields<Row>;
  /** Current state from Stripe, or 'deleted' when Stripe no longer has it. */
  refetch(ctx: HandlerContext, id: string): Promise<Obj | 'deleted'>;
  /** Writes that belong with the row (e.g. subscription items), in the same transaction. */
  afterWrite?(ctx: HandlerContext, object: unknown, row: Row): Promise<void>;
}

export async function applyMirrored<Obj, Row extends MirrorRow>(
  ctx: HandlerContext,
  spec: MirrorSpec<Obj, Row>,
  deletion: boolean,
): Promise<ApplyOutcome> {
  const { manager, event } = ctx;
  const id = event.data.object.id;
  const stored = await selectForUpdate<Row>(manager, spec.entity, id);
  const decision = decideWrite(stored, { created: event.created, deletion });
  if (decision === 'skip') return 'skipped';

  let object: unknown = event.data.object;
  let deleted = deletion;
  if (decision === 'refetch') {
    ctx.onStripeRead();
    const current = await spec.refetch(ctx, id);
    if (current === 'deleted') deleted = true;
    else object = current;
  }
  const row = { ...spec.toRow(object, stored, event.created), deleted, watermark: event.created } as unknown as Row;
  await upsertRow(manager, spec.entity, row);
  await spec.afterWrite?.(ctx, object, row);
  return decision === 'refetch' ? 'refetched' : 'applied';
}

/** The handler table entries of one mirrored object: upserting event types and deleting ones. */
export function mirrorHandlers<Obj, Row extends MirrorRow, U extends string, D extends string = never>(
  spec: MirrorSpec<Obj, Row>,
  lockKey: EventHandler['lockKey'],
  types: { upserts: readonly U[]; deletions?: readonly D[] },
): Record<U | D, EventHandler> {
  const handler = (deletion: boolean): EventHandler => ({ lockKey, apply: (ctx) => applyMirrored(ctx, spec, deletion) });
  const entries = [
    ...types.upserts.map((type) => [type, handler(false)] as const),
    ...(types.deletions ?? []).map((type) => [type, handler(true)] as const),
  ];
  return Object.fromEntries(entries) as Record<U | D, EventHandler>;
}
