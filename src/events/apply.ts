/**
 * The one commit-and-publish path of the event engine. Whatever commits mirror rows or access
 * answers goes through `commitAndPublish`: a batch of Stripe events (events/batcher.ts; a lone
 * event is a batch of one), an object listed from Stripe (events/snapshot.ts), the customers
 * whose grace period ran out (notify/notifier.ts `sweep`). In order:
 *
 *   1. the transaction (events/event-transaction.ts), in two round trips: BEGIN, the advisory
 *      locks of every key, one dedupe insert into processed_events (a conflict means applied
 *      already: 'duplicate'), each item's locked read | each fresh item's handler decides on its
 *      own row | its writes, the access step (events/access-step.ts), COMMIT
 *   2. the access change feed names the customer of every item (duplicates included: the re-run
 *      of a job whose worker died between COMMIT and here still names them) and every customer
 *      whose answer changed
 *   3. the notifications of the changes are enqueued (notify/notifier.ts)
 *   4. the after-commit effects each applied or duplicate event asks for (invoice.created's flush)
 *
 * So each event's dedupe row and writes commit or roll back together: effects are exactly once.
 * An item whose handler cannot decide inside a shared transaction gives up its dedupe row in the
 * same transaction, with a reason (event-transaction.ts `classifyHandlerError`):
 *   needs_stripe_read  a same-second tie inside a batch: applied again on its own (Stripe reads
 *                      are allowed only for a batch of one, so one slow call never holds others)
 *   invalid_payload    the object can never be applied: its job fails for good
 *   error              anything else (a bug, a broken invariant): its job fails with the error and
 *                      BullMQ retries it with backoff; it is never retried silently as a deferral
 */
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { AccessChange } from '../access/sync';
import type { Logger } from '../logger';
import { eventKey, parseStripeEvent, type StripeEvent } from '../queues/stripe-event';
import type { StripeEventJob } from '../queues/payloads';
import type { AccessOptions } from './access-step';
import { Commit, commitTransaction, EventResult, PreparedEvent, SetAsideReason } from './event-transaction';
import { AfterCommitEffects, ApplyOutcome, EventHandler, PermanentError, StripeReadReason } from './handler-types';
import { handlerFor } from './handlers';

export type EventOutcome = ApplyOutcome | 'duplicate' | 'ignored';

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

/** What `commitAndPublish` needs besides its items (which bring their own Stripe client). */
export type CommitDeps = Pick<StripeEventDeps, 'dataSource' | 'log' | 'access' | 'effects'>;

/**
 * What became of a commit: rolled back (nothing of it happened), committed but the access change
 * feed not written (every item's job must fail: its re-run, a duplicate, names the customers), or
 * published, with a result per item in order.
 */
export type Committed =
  | { stage: 'rolledBack'; error: unknown }
  | { stage: 'unpublished'; error: unknown }
  | { stage: 'published'; results: EventResult[] };

/** Validates the envelope (PermanentError if it is not an event); null for a type not applied here. */
export function prepareStripeEvent(
  deps: PrepareDeps,
  payload: unknown,
  source?: StripeEventJob['source'],
): PreparedEvent | null {
  const parsed = parseStripeEvent(payload);
  if (!parsed.ok) throw new PermanentError(`not a Stripe event: ${parsed.reason}`);
  const handler = handlerFor(parsed.event);
  return handler ? { ...prepareItem(deps, parsed.event, handler, true), source } : null;
}

/** What preparing an item needs: the row statements' metadata and the Stripe client its handler may read with. */
export type PrepareDeps = Pick<StripeEventDeps, 'dataSource' | 'stripe' | 'onStripeRead'>;

/** `event` with its handler, its key and its locked read, ready for `commitAndPublish`. */
export function prepareItem(
  deps: PrepareDeps,
  event: StripeEvent,
  handler: EventHandler,
  dedupe: boolean,
): PreparedEvent {
  const lockedRead = handler.lockedRead(deps.dataSource, event.data.object);
  const reads = { stripe: deps.stripe, onStripeRead: deps.onStripeRead ?? (() => {}) };
  return { event, handler, key: eventKey(event), lockedRead, dedupe, reads };
}

/** Commits `commit` (items of distinct keys) and publishes what it changed, in the order above. */
export async function commitAndPublish(deps: CommitDeps, commit: Commit): Promise<Committed> {
  if (commit.items.length === 0 && !commit.recompute?.length) return { stage: 'published', results: [] };
  let committed: { results: EventResult[]; changes: AccessChange[] };
  try {
    committed = await commitTransaction(deps.dataSource, deps.access, commit);
  } catch (error) {
    return { stage: 'rolledBack', error };
  }
  const { results, changes } = committed;
  const customers = commit.items.flatMap((item) => (item.key.customer ? [item.key.key] : []));
  try {
    await publishAccessChanges(deps, changes, customers);
  } catch (error) {
    return { stage: 'unpublished', error };
  }
  await Promise.all(commit.items.map(async (item, n) => (results[n] = await runAfterCommit(deps, item, results[n]))));
  return { stage: 'published', results };
}

/**
 * Steps 2 and 3. A feed that cannot be written throws, so the jobs fail and are retried; a
 * notification that cannot be enqueued is only logged: the outbox relay enqueues it.
 */
async function publishAccessChanges(
  deps: CommitDeps,
  changes: readonly AccessChange[],
  customers: readonly string[],
): Promise<void> {
  const named = new Set(customers);
  for (const change of changes) named.add(change.customer);
  // Before any notification: a product told of a change must find the access API answering it.
  if (named.size > 0) await deps.access?.invalidate?.([...named]);
  if (changes.length === 0 || !deps.access?.onChanged) return;
  try {
    await deps.access.onChanged([...changes]);
  } catch (error) {
    deps.log.warn(
      { err: error, customers: changes.length },
      'access changes committed but not yet published; the relay will',
    );
  }
}

/** Step 4: the after-commit effects the handler table declares for an applied or duplicate event (idempotent). */
async function runAfterCommit(deps: CommitDeps, item: PreparedEvent, result: EventResult): Promise<EventResult> {
  if (!('outcome' in result)) return result;
  try {
    for (const request of item.handler.afterCommit?.(item.event.data.object) ?? []) {
      await deps.effects?.[request.effect]?.(request);
    }
    return result;
  } catch (error) {
    return { effectFailed: error };
  }
}
