/**
 * Gathers the events a worker is given into shared transactions. Every statement and every COMMIT
 * costs PostgreSQL (and this process) a wake-up, a parse and a WAL flush, so the events that wait
 * while earlier transactions are in flight go out together. No timer: a lone event goes out at
 * once, as a batch of one. Each batch goes through the one commit path (events/apply.ts
 * `commitAndPublish`: transaction, COMMIT, access change feed, notifications, after-commit effects).
 *
 * The life of a submitted event (a state machine; each arrow is in `run` or `settle`):
 *
 *   pending ──(a transaction slot is free)──> in a batch ──commitAndPublish──> published
 *     published: its outcome ─────────────────────────────> resolved (its effects ran)
 *                set aside: needs_stripe_read ────────────> a batch of one ──> …
 *                set aside: invalid_payload / error ──────> rejected (its job fails)
 *                its after-commit effect failed ──────────> rejected (the re-run, a duplicate, runs it again)
 *     unpublished (committed, access change feed not written) ──> every event of the batch rejected
 *     rolledBack: a batch of one ──> rejected; a larger batch ──> each event in a batch of one
 *
 * A batch holds at most one event per lock key: two events of one customer must see each
 * other's writes, so the later one waits for the next batch.
 */
import type { StripeEventJob } from '../queues/payloads';
import { commitAndPublish, EventOutcome, prepareStripeEvent, StripeEventDeps } from './apply';
import type { EventResult, PreparedEvent } from './event-transaction';

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

  constructor(
    private readonly deps: StripeEventDeps,
    private readonly options: EventBatcherOptions,
  ) {}

  /** Applies one event exactly once (in a batch when others wait with it); resolves after its commit. */
  async apply(payload: unknown, source?: StripeEventJob['source']): Promise<EventOutcome> {
    const prepared = prepareStripeEvent(this.deps, payload, source);
    if (!prepared) return 'ignored';
    return new Promise<EventOutcome>((resolve, reject) => {
      this.pending.push({ prepared, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.pending.length > 0) {
      const taken = planBatch(
        this.pending.map((e) => e.prepared.key.key),
        this.options.maxBatch,
      );
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
    this.options.onTransaction?.(batch.length);
    const committed = await commitAndPublish(this.deps, { items: batch.map((e) => e.prepared) });
    if (committed.stage === 'rolledBack') {
      const { error } = committed;
      if (batch.length === 1) return batch[0].reject(error);
      this.deps.log.warn(
        { err: error, events: batch.length },
        'event batch rolled back; applying its events one by one',
      );
      await Promise.all(batch.map((e) => this.run([e])));
      return;
    }
    if (committed.stage === 'unpublished') {
      const { error } = committed;
      // Committed, but the access change feed was not told: fail the jobs; their re-runs (duplicates) tell it.
      this.deps.log.warn(
        { err: error, events: batch.length },
        'access change feed not written; the events will be retried',
      );
      return batch.forEach((e) => e.reject(error));
    }
    await Promise.all(batch.map((entry, n) => this.settle(entry, committed.results[n])));
  }

  private async settle(entry: Entry, result: EventResult): Promise<void> {
    const { event } = entry.prepared;
    if ('setAside' in result) {
      this.deps.onSetAside?.(result.setAside);
      if (result.setAside === 'needs_stripe_read') {
        this.deps.log.debug(
          { eventId: event.id, eventType: event.type, reason: result.setAside },
          'event set aside to run on its own',
        );
        return this.run([entry]);
      }
      const level = result.setAside === 'error' ? 'error' : 'warn';
      this.deps.log[level](
        { eventId: event.id, eventType: event.type, reason: result.setAside, err: result.error },
        'event not applied',
      );
      return entry.reject(result.error);
    }
    if ('effectFailed' in result) return entry.reject(result.effectFailed);
    entry.resolve(result.outcome);
  }
}
