/**
 * The one transaction path of Stripe events: a lone event is a batch of one. In one transaction,
 * in two round trips (db/transaction.ts):
 *
 *   1. BEGIN; the advisory locks of every event's customer; one dedupe insert into
 *      processed_events (a conflict means applied already: 'duplicate'); each event's locked read
 *      of its stored row                                            (events/event-transaction.ts)
 *   2. each fresh event's handler decides on its own row and returns its writes; they are sent
 *      here, one-row upserts of one table merged into multi-row ones; COMMIT
 *
 * So each event's dedupe row and writes commit or roll back together: effects are exactly once.
 * A handler that cannot decide inside a shared transaction gives up its dedupe row in the same
 * transaction, with a reason (`classifyHandlerError`):
 *   needs_stripe_read  a same-second tie inside a batch: applied again on its own (Stripe reads
 *                      are allowed only for a batch of one, so one slow call never holds others)
 *   invalid_payload    the object can never be applied: its job fails for good
 *   error              anything else (a bug, a broken invariant): its job fails with the error and
 *                      BullMQ retries it with backoff; it is never retried silently as a deferral
 */
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { mergeUpserts, Statement, withOpenedTransaction } from '../db/transaction';
import type { Logger } from '../logger';
import type { StripeEventJob } from '../queues/payloads';
import { parseStripeEvent, type StripeEvent } from '../queues/stripe-event';
import type { AccessChange } from '../access/sync';
import { AccessOptions, accessStep } from './access-step';
import { dedupeStatement, forgetStatement, locksStatement } from './event-transaction';
import {
  AfterCommitEffects,
  ApplyOutcome,
  EventHandler,
  NeedsStripeRead,
  PermanentError,
  StripeReadReason,
} from './handler-types';
import { handlerFor } from './handlers';
import { CUSTOMER_ID } from '../lib/ids';

export type EventOutcome = ApplyOutcome | 'duplicate' | 'ignored';

/** Why an event left a shared transaction without being applied (a log field and metric label). */
export type SetAsideReason = 'needs_stripe_read' | 'invalid_payload' | 'error';

/** An event's result in a transaction. */
export type EventResult = { outcome: Exclude<EventOutcome, 'ignored'> } | { setAside: SetAsideReason; error: unknown };

export interface StripeEventDeps {
  dataSource: DataSource;
  stripe: Stripe;
  log: Logger;
  onStripeRead?: (reason: StripeReadReason) => void;
  /** Told every event set aside, with its reason (metrics). */
  onSetAside?: (reason: SetAsideReason) => void;
  /** Effects the handler table asks for after a commit (e.g. invoice.created's usage flush). */
  effects?: AfterCommitEffects;
  /** The access step (events/access-step.ts); without it, customer_access is not kept (tests of the engine alone). */
  access?: AccessOptions;
}

/** What one transaction did: a result per event, and the customers whose access answer changed. */
export interface AppliedBatch {
  results: EventResult[];
  accessChanges: AccessChange[];
}

/** A validated event with its handler, advisory lock key and locked read, ready for a transaction. */
export interface PreparedEvent {
  event: StripeEvent;
  handler: EventHandler;
  lockKey: string;
  lockedRead: Statement;
  /** Where the event came from (recorded in processed_events for the operator console). */
  source?: StripeEventJob['source'];
}

/** Validates the envelope (PermanentError if it is not an event); null for a type not applied here. */
export function prepareStripeEvent(
  dataSource: DataSource,
  payload: unknown,
  source?: StripeEventJob['source'],
): PreparedEvent | null {
  const parsed = parseStripeEvent(payload);
  if (!parsed.ok) throw new PermanentError(`not a Stripe event: ${parsed.reason}`);
  const event = parsed.event;
  const handler = handlerFor(event);
  if (!handler) return null;
  const object = event.data.object;
  return {
    event,
    handler,
    lockKey: handler.lockKey(object),
    lockedRead: handler.lockedRead(dataSource, object),
    source,
  };
}

/** Why a handler error sets its event aside. Pure. */
export function classifyHandlerError(error: unknown): SetAsideReason {
  if (error instanceof NeedsStripeRead) return 'needs_stripe_read';
  if (error instanceof PermanentError) return 'invalid_payload';
  return 'error';
}

/** Applies `items` (distinct lock keys) in one transaction; one result per item, in order. */
export async function applyEvents(deps: StripeEventDeps, items: readonly PreparedEvent[]): Promise<AppliedBatch> {
  const allowStripeReads = items.length === 1;
  const opening = [
    locksStatement(items.map((i) => i.lockKey)),
    dedupeStatement(items),
    ...items.map((i) => i.lockedRead),
  ];
  return withOpenedTransaction(deps.dataSource, opening, async ([, inserted, ...stored], run) => {
    const fresh = new Set(inserted.rows.map((r: { stripe_event_id: string }) => r.stripe_event_id));
    const results: EventResult[] = [];
    const writes: Statement[] = [];
    const forget: string[] = [];
    const accessCustomers = new Set<string>();
    for (const [n, { event, handler }] of items.entries()) {
      if (!fresh.has(event.id)) {
        results.push({ outcome: 'duplicate' });
        continue;
      }
      try {
        const ctx = {
          dataSource: deps.dataSource,
          event,
          stripe: deps.stripe,
          onStripeRead: deps.onStripeRead ?? (() => {}),
          allowStripeReads,
          lockedRows: stored[n].rows,
        };
        const decision = await handler.decide(ctx);
        writes.push(...decision.writes);
        results.push({ outcome: decision.outcome });
        const customer = decision.outcome === 'skipped' ? null : handler.accessCustomer?.(event.data.object);
        if (customer) accessCustomers.add(customer);
      } catch (error) {
        results.push({ setAside: classifyHandlerError(error), error });
        forget.push(event.id);
      }
    }
    const merged = mergeUpserts(writes);
    if (forget.length > 0) merged.push(forgetStatement(forget));
    const { closing, changes } = await accessStep(run, merged, accessCustomers, deps.access);
    return { result: { results, accessChanges: changes }, closing };
  });
}

/**
 * After a commit: first the access change feed names every customer the transaction may have
 * changed (`customers`: its events' lock keys, duplicates included, so the re-run of a job whose
 * worker died between COMMIT and here still names them), then the changes are handed on
 * (notifications). A feed that cannot be written throws, so the jobs fail and are retried; a
 * notification that cannot be enqueued is only logged: the outbox relay enqueues it.
 */
export async function publishAccessChanges(
  deps: Pick<StripeEventDeps, 'access' | 'log'>,
  changes: readonly AccessChange[],
  customers: Iterable<string> = [],
): Promise<void> {
  const named = new Set([...customers].filter((key) => CUSTOMER_ID.test(key)));
  for (const change of changes) named.add(change.customer);
  // Before any notification: a product told of a change must find the access API answering it.
  if (named.size > 0) await deps.access?.invalidate?.([...named]);
  if (changes.length === 0 || !deps.access?.onChanged) return;
  try {
    await deps.access.onChanged([...changes]);
  } catch (error) {
    deps.log.warn(
      { err: (error as Error).message, customers: changes.length },
      'access changes committed but not yet published; the relay will',
    );
  }
}

/** Runs the after-commit effects the handler table declares for this event (idempotent). */
export async function runAfterCommit(deps: StripeEventDeps, prepared: PreparedEvent): Promise<void> {
  for (const request of prepared.handler.afterCommit?.(prepared.event.data.object) ?? []) {
    await deps.effects?.[request.effect]?.(request);
  }
}

/**
 * Applies one event on its own, its effects included: the batcher's path for an event with no
 * company, and a convenience for tests and tools. Throws what its job should fail with.
 */
export async function applyStripeEvent(deps: StripeEventDeps, payload: unknown): Promise<EventOutcome> {
  const prepared = prepareStripeEvent(deps.dataSource, payload);
  if (!prepared) return 'ignored';
  const {
    results: [result],
    accessChanges,
  } = await applyEvents(deps, [prepared]);
  await publishAccessChanges(deps, accessChanges, [prepared.lockKey]);
  if ('setAside' in result) throw result.error;
  await runAfterCommit(deps, prepared);
  return result.outcome;
}
