/**
 * The statements every event transaction opens with, in one place: the per-customer advisory
 * locks, the exactly-once dedupe insert into processed_events (with the event's customer and
 * source, which the operator console lists), and (from the handlers) the locked read of each stored
 * row. Also the statement that forgets a dedupe row again when its event was not applied in this
 * transaction (deferred or rejected), so it commits with the others' writes.
 */
import { placeholderList, placeholderRows } from '../db/sql';
import type { Literal, Statement } from '../db/transaction';
import { CUSTOMER_ID } from '../lib/ids';
import type { StripeEventJob } from '../queues/payloads';
import type { StripeEvent } from '../queues/stripe-event';

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

/** What the dedupe row records of an event: its customer (a lock key that is a customer id) and source. */
export interface DedupeEntry {
  event: StripeEvent;
  lockKey: string;
  source?: StripeEventJob['source'];
}

/** One insert of every event id; RETURNING names the ones not applied before (the fresh ones). */
export function dedupeStatement(entries: readonly DedupeEntry[]): Statement {
  return {
    sql: `INSERT INTO processed_events (stripe_event_id, type, event_created, stripe_customer_id, source) VALUES ${placeholderRows(entries.length, 5)}
      ON CONFLICT (stripe_event_id) DO NOTHING RETURNING stripe_event_id`,
    values: entries.flatMap(({ event: e, lockKey, source }): Literal[] => [
      e.id,
      e.type,
      e.created,
      CUSTOMER_ID.test(lockKey) ? lockKey : null,
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
