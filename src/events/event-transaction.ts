/**
 * Step 1 of the commit path (events/apply.ts): the transaction itself, in two round trips
 * (db/transaction.ts). It opens with the advisory locks of every key, the exactly-once dedupe
 * insert into processed_events and (from the handlers) the locked read of each stored row; each
 * fresh item's handler then decides on its row, and its writes go with the access step
 * (events/access-step.ts) and COMMIT. An item that was not applied forgets its dedupe row again
 * in the same transaction (`forgetStatement`), so it commits with the others' writes.
 */
import type { QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import type { AccessChange } from '../access/sync';
import { placeholderList, placeholderRows } from '../db/sql';
import { Literal, mergeUpserts, Statement, withOpenedTransaction } from '../db/transaction';
import type { StripeEventJob } from '../queues/payloads';
import type { EventKey, StripeEvent } from '../queues/stripe-event';
import { AccessOptions, accessStep } from './access-step';
import { ApplyOutcome, EventHandler, HandlerContext, NeedsStripeRead, PermanentError } from './handler-types';

/** Why an event left a shared transaction without being applied (a log field and metric label). */
export type SetAsideReason = 'needs_stripe_read' | 'invalid_payload' | 'error';

/**
 * An item's result: its outcome (its effects ran), set aside (not applied, its dedupe row
 * forgotten), or applied but its after-commit effect failed (its job fails; the re-run, a
 * duplicate, runs the effect again).
 */
export type EventResult =
  { outcome: ApplyOutcome | 'duplicate' } | { setAside: SetAsideReason; error: unknown } | { effectFailed: unknown };

/** An event (or a listed object) ready for a transaction: its handler, key and locked read. */
export interface PreparedEvent {
  event: StripeEvent;
  handler: EventHandler;
  /** Its advisory lock (queues/stripe-event.ts `eventKey`), the key its queue partition follows too. */
  key: EventKey;
  lockedRead: Statement;
  /** False for a snapshot: it has no Stripe event id to deduplicate, and applying it again is harmless. */
  dedupe: boolean;
  /** Where the event came from (a webhook, a replay), kept with its dedupe row; none for a snapshot. */
  source?: StripeEventJob['source'];
  /** Where its handler reads from Stripe when it must, and who is told. */
  reads: Pick<HandlerContext, 'stripe' | 'onStripeRead'>;
}

/** One transaction's work: the items, and customers whose answer is due though nothing of theirs is written. */
export interface Commit {
  items: readonly PreparedEvent[];
  /** Recomputed under their locks with no write of their own (a grace period ran out). */
  recompute?: readonly string[];
}

/**
 * The advisory locks of `keys`, one per customer (or object), taken in ascending lock-id order in
 * one statement, so two transactions can never wait on each other in a cycle.
 */
export function locksStatement(keys: readonly string[]): Statement {
  return {
    sql: `SELECT pg_advisory_xact_lock(id) FROM (SELECT DISTINCT hashtextextended(key, 0) AS id FROM (VALUES ${placeholderRows(keys.length, 1)}) AS k(key) ORDER BY 1) AS locks`,
    values: keys,
  };
}

/** One insert of every event id; RETURNING names the ones not applied before (the fresh ones). */
export function dedupeStatement(items: readonly PreparedEvent[]): Statement {
  return {
    sql: `INSERT INTO processed_events (stripe_event_id, type, event_created, stripe_customer_id, source)
      VALUES ${placeholderRows(items.length, 5)}
      ON CONFLICT (stripe_event_id) DO NOTHING RETURNING stripe_event_id`,
    // The customer and the source are what the operator console lists an event by.
    values: items.flatMap(({ event: e, key, source }): Literal[] => [
      e.id,
      e.type,
      e.created,
      key.customer ? key.key : null,
      source ?? null,
    ]),
  };
}

/** Deletes the dedupe rows of events this transaction inserted but did not apply. */
export function forgetStatement(eventIds: readonly string[]): Statement {
  return {
    sql: `DELETE FROM processed_events WHERE stripe_event_id IN (${placeholderList(eventIds.length)})`,
    values: eventIds,
  };
}

/** Why a handler error sets its event aside. Pure. */
export function classifyHandlerError(error: unknown): SetAsideReason {
  if (error instanceof NeedsStripeRead) return 'needs_stripe_read';
  if (error instanceof PermanentError) return 'invalid_payload';
  return 'error';
}

/** Commits `commit` (items of distinct keys): a result per item, in order, and the access changes. Throws when rolled back. */
export async function commitTransaction(
  dataSource: DataSource,
  access: AccessOptions | undefined,
  { items, recompute = [] }: Commit,
): Promise<{ results: EventResult[]; changes: AccessChange[] }> {
  const deduped = items.filter((i) => i.dedupe);
  const opening = [
    locksStatement([...items.map((i) => i.key.key), ...recompute]),
    ...(deduped.length > 0 ? [dedupeStatement(deduped)] : []),
    ...items.map((i) => i.lockedRead),
  ];
  return withOpenedTransaction(dataSource, opening, async ([, ...opened], run) => {
    const inserted = deduped.length > 0 ? opened.shift()!.rows : [];
    const fresh = new Set(inserted.map((r: { stripe_event_id: string }) => r.stripe_event_id));
    const decided = await decideAll(dataSource, items, opened, fresh);
    const customers = new Set([...recompute, ...decided.customers]);
    const { closing, changes } = await accessStep(run, decided.writes, customers, access);
    return { result: { results: decided.results, changes }, closing };
  });
}

/**
 * Each item's decision on its locked rows, in order (a duplicate is not decided again): its
 * result, and together their writes (the set-aside items' dedupe rows forgotten) and the customers
 * whose access answer their writes feed.
 */
async function decideAll(
  dataSource: DataSource,
  items: readonly PreparedEvent[],
  stored: readonly QueryResult[],
  fresh: ReadonlySet<string>,
): Promise<{ results: EventResult[]; writes: Statement[]; customers: string[] }> {
  const results: EventResult[] = [];
  const writes: Statement[] = [];
  const forget: string[] = [];
  const customers: string[] = [];
  for (const [n, { event, handler, reads, dedupe }] of items.entries()) {
    if (dedupe && !fresh.has(event.id)) {
      results.push({ outcome: 'duplicate' });
      continue;
    }
    try {
      const ctx = { dataSource, event, ...reads, allowStripeReads: items.length === 1, lockedRows: stored[n].rows };
      const decision = await handler.decide(ctx);
      writes.push(...decision.writes);
      results.push({ outcome: decision.outcome });
      const customer = decision.outcome === 'skipped' ? null : handler.accessCustomer?.(event.data.object);
      if (customer) customers.push(customer);
    } catch (error) {
      results.push({ setAside: classifyHandlerError(error), error });
      if (dedupe) forget.push(event.id);
    }
  }
  const merged = mergeUpserts(writes);
  if (forget.length > 0) merged.push(forgetStatement(forget));
  return { results, writes: merged, customers };
}
