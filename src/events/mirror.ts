/**
 * The one write path of the mirror: read the stored version under a row lock, decide with
 * `decideWrite` (jobs/watermark.ts), refetch from Stripe on a same-second tie, then upsert
 * the row with the event's second as its new watermark. The locked read travels in the
 * transaction's opening round trip (`lockedRead`), the writes with its COMMIT (`ctx.writes`).
 */
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { Mirrored } from '../entities/mirrored';
import { ApplyOutcome, EventHandler, HandlerContext, NeedsStripeRead } from './handler-types';
import { hydrateRow, selectForUpdate, upsertRow } from '../db/row-sql';
import type { Statement } from '../db/transaction';
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
  /** Writes that belong with the row (e.g. subscription items), sent right after its upsert. */
  companionWrites?(object: unknown, row: Row): Statement[];
}

export async function applyMirrored<Obj, Row extends MirrorRow>(
  ctx: HandlerContext,
  spec: MirrorSpec<Obj, Row>,
  deletion: boolean,
): Promise<ApplyOutcome> {
  const { event } = ctx;
  const dataSource = ctx.manager.connection;
  const id = event.data.object.id;
  const stored = hydrateRow<Row>(dataSource, spec.entity, ctx.lockedRows);
  const decision = decideWrite(stored, { created: event.created, deletion });
  if (decision === 'skip') return 'skipped';

  let object: unknown = event.data.object;
  let deleted = deletion;
  if (decision === 'refetch') {
    if (!ctx.allowStripeReads) throw new NeedsStripeRead(`${id} needs a refetch`);
    ctx.onStripeRead();
    const current = await spec.refetch(ctx, id);
    if (current === 'deleted') deleted = true;
    else object = current;
  }
  const row = { ...spec.toRow(object, stored, event.created), deleted, watermark: event.created } as unknown as Row;
  ctx.writes.push(upsertRow(dataSource, spec.entity, row), ...(spec.companionWrites?.(object, row) ?? []));
  return decision === 'refetch' ? 'refetched' : 'applied';
}

/** The handler table entries of one mirrored object: upserting event types and deleting ones. */
export function mirrorHandlers<Obj, Row extends MirrorRow, U extends string, D extends string = never>(
  spec: MirrorSpec<Obj, Row>,
  lockKey: EventHandler['lockKey'],
  types: { upserts: readonly U[]; deletions?: readonly D[] },
): Record<U | D, EventHandler> {
  const handler = (deletion: boolean): EventHandler => ({
    lockKey,
    lockedRead: (dataSource, object) => selectForUpdate(dataSource, spec.entity, object.id),
    apply: (ctx) => applyMirrored(ctx, spec, deletion),
  });
  const entries = [
    ...types.upserts.map((type) => [type, handler(false)] as const),
    ...(types.deletions ?? []).map((type) => [type, handler(true)] as const),
  ];
  return Object.fromEntries(entries) as Record<U | D, EventHandler>;
}
