/**
 * Many events in one transaction, for a worker under load. Every statement and every COMMIT costs
 * PostgreSQL (and this process) a wake-up, a parse and a WAL flush, so the events that wait while
 * earlier transactions are in flight go out together in two round trips:
 *
 *   1. BEGIN; the advisory locks of all their keys (taken in one statement, in lock-id order, so
 *      two batches can never wait on each other in a cycle); one multi-row dedupe insert into
 *      processed_events; each event's locked read of its stored row
 *   2. each new event's writes (its handler decided on its own row, with `decideWrite` as ever),
 *      one-row upserts of the same table merged into multi-row ones (transaction.ts); COMMIT
 *
 * Each event's dedupe row and writes still commit or roll back together, so effects stay exactly
 * once. The life of a submitted event:
 *
 *   pending ──(a transaction slot is free)──> in a batch ──commit──> settled
 *                                               │  rolled back, or the handler needs Stripe
 *                                               │  or rejected the payload
 *                                               └──> applied on its own (jobs/stripe-event.ts) ──> settled
 *
 * A batch holds at most one event per lock key (two events of one customer must see each
 * other's writes; the later one waits for the next batch). An event whose handler needs a
 * Stripe read or throws is "deferred": its dedupe row is deleted again in the same transaction
 * and it runs on its own after the commit, so one slow Stripe call or bad payload never holds
 * back or rolls back the others. If the whole batch fails (a failed write, a lost connection),
 * every event in it gets its own transaction and its own result. No timer: a lone event goes out
 * at once, exactly as without batching.
 */
import type { StripeEvent } from '../queues/stripe-event';
import {
  applyPreparedEvent, EventOutcome, handlerContext, prepareStripeEvent, PreparedEvent, StripeEventDeps,
} from './apply';
import { Literal, mergeUpserts, Statement, withOpenedTransaction } from '../db/transaction';

/** An event's result in a batch: its outcome, or 'deferred' to be applied on its own. */
export type BatchResult = EventOutcome | 'deferred';

/**
 * The next batch: up to `max` entries in arrival order, at most one per lock key. Returns the
 * indexes taken; the first entry is always among them, so every entry is eventually taken.
 */
export function planBatch(lockKeys: readonly string[], max: number): number[] {
  const keys = new Set<string>();
  const taken: number[] = [];
  for (let i = 0; i < lockKeys.length && taken.length < max; i++) {
    if (keys.has(lockKeys[i])) continue;
    keys.add(lockKeys[i]);
    taken.push(i);
  }
  return taken;
}

const placeholders = (count: number, width: number): string =>
  Array.from({ length: count }, (_, row) => `(${Array.from({ length: width }, (_, col) => `$${row * width + col + 1}`).join(', ')})`).join(', ');

/** The advisory locks of `keys` (same ids as LOCK_SQL), taken in ascending lock-id order. */
export function batchLocksStatement(keys: readonly string[]): Statement {
  return {
    sql: `SELECT pg_advisory_xact_lock(id) FROM (SELECT DISTINCT hashtextextended(key, 0) AS id FROM (VALUES ${placeholders(keys.length, 1)}) AS k(key) ORDER BY 1) AS locks`,
    values: keys,
  };
}

/** One insert of every event id; RETURNING names the ones not applied before. */
export function batchDedupeStatement(events: readonly StripeEvent[]): Statement {
  return {
    sql: `INSERT INTO processed_events (stripe_event_id, type, event_created) VALUES ${placeholders(events.length, 3)}
      ON CONFLICT (stripe_event_id) DO NOTHING RETURNING stripe_event_id`,
    values: events.flatMap((e): Literal[] => [e.id, e.type, e.created]),
  };
}

/** Applies `items` (distinct lock keys) in one transaction; see the header for 'deferred'. */
export async function applyEventBatch(deps: StripeEventDeps, items: readonly PreparedEvent[]): Promise<BatchResult[]> {
  const opening = [batchLocksStatement(items.map((i) => i.lockKey)), batchDedupeStatement(items.map((i) => i.event)), ...items.map((i) => i.lockedRead)];
  return withOpenedTransaction(deps.dataSource, opening, async (manager, [, inserted, ...stored], writes) => {
    const fresh = new Set(inserted.rows.map((r: { stripe_event_id: string }) => r.stripe_event_id));
    const deferred: string[] = [];
    const results: BatchResult[] = [];
    const applied: Statement[] = [];
    for (const [n, { event, handler }] of items.entries()) {
      if (!fresh.has(event.id)) {
        results.push('duplicate');
        continue;
      }
      const own: Statement[] = [];
      try {
        results.push(await handler.apply(handlerContext(deps, manager, event, stored[n].rows, own, false)));
        applied.push(...own);
      } catch {
        // NeedsStripeRead, or a payload the handler rejects: the event's own transaction will
        // make the read or report the error to its job.
        results.push('deferred');
        deferred.push(event.id);
      }
    }
    writes.push(...mergeUpserts(applied));
    if (deferred.length > 0) {
      writes.push({ sql: `DELETE FROM processed_events WHERE stripe_event_id IN (${deferred.map((_, i) => `$${i + 1}`).join(', ')})`, values: deferred });
    }
    return results;
  });
}

export interface EventBatcherOptions {
  /** Most events in one transaction; 1 turns batching off. */
  maxBatch: number;
  /** Most batch transactions at once; further events wait and join the next batch. */
  maxInFlight: number;
  /** Told the size of every transaction the batcher opens (1 for an event on its own). */
  onTransaction?: (events: number) => void;
}

interface Entry {
  prepared: PreparedEvent;
  resolve(outcome: EventOutcome): void;
  reject(error: unknown): void;
}

export class EventBatcher {
  private pending: Entry[] = [];
  private inFlight = 0;

  constructor(private readonly deps: StripeEventDeps, private readonly options: EventBatcherOptions) {}

  /** Applies one event exactly once (in a batch when others wait with it); resolves after its commit. */
  async apply(payload: unknown): Promise<EventOutcome> {
    const prepared = prepareStripeEvent(this.deps.dataSource, payload);
    if (!prepared) return 'ignored';
    return new Promise<EventOutcome>((resolve, reject) => {
      this.pending.push({ prepared, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.pending.length > 0) {
      const taken = planBatch(this.pending.map((e) => e.prepared.lockKey), this.options.maxBatch);
      const batch = taken.map((i) => this.pending[i]);
      const takenSet = new Set(taken);
      this.pending = this.pending.filter((_, i) => !takenSet.has(i));
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async run(batch: Entry[]): Promise<void> {
    if (batch.length === 1) return this.alone(batch[0]);
    let results: BatchResult[];
    try {
      this.options.onTransaction?.(batch.length);
      results = await applyEventBatch(this.deps, batch.map((e) => e.prepared));
    } catch (error) {
      this.deps.log.warn({ err: (error as Error).message, events: batch.length }, 'event batch rolled back; applying its events one by one');
      await Promise.all(batch.map((e) => this.alone(e)));
      return;
    }
    await Promise.all(batch.map(async (entry, n) => {
      const result = results[n];
      if (result === 'deferred') return this.alone(entry);
      try {
        await this.deps.afterCommit?.(entry.prepared.event, result);
        entry.resolve(result);
      } catch (error) {
        entry.reject(error);
      }
    }));
  }

  private async alone(entry: Entry): Promise<void> {
    this.options.onTransaction?.(1);
    try {
      entry.resolve(await applyPreparedEvent(this.deps, entry.prepared));
    } catch (error) {
      entry.reject(error);
    }
  }
}
