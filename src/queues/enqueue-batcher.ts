/**
 * Group commit for job adds: adds that arrive while batches are in flight (at most MAX_IN_FLIGHT
 * at once) or in the same event loop turn go to Redis together, as one `addBulk` pipeline
 * followed by one ZMSCORE that asks which of those jobs sit in the failed set. Two round trips per
 * batch instead of two per job, with no timer: a lone request is sent at once, so light load pays
 * no linger.
 *
 * Each caller's promise settles only after Redis answered for its job, so "resolved" still means
 * "durably stored"; a failed batch rejects every caller in it (they answer 503 and Stripe retries;
 * a job that did get stored is then a harmless duplicate).
 */
import { Job, type Queue } from 'bullmq';
import type { RedisConnection } from '../runtime/redis';

interface Pending<T> {
  name: string;
  data: T;
  jobId: string;
  resolve(inFailedSet: boolean): void;
  reject(error: unknown): void;
}

/** Most jobs per pipeline: bounds the size of one Redis write (~4 KB per Stripe event). */
export const MAX_BATCH = 256;

/**
 * Batches on their way to Redis at once. With one, requests that arrived during a flush waited a
 * whole round trip while the process sat idle; with two, the next batch is serialised while Redis
 * runs the previous one (ingest 5,300 -> 5,900 req/s, median of four runs each; three gained nothing).
 */
export const MAX_IN_FLIGHT = 2;

export class EnqueueBatcher<T> {
  private pending: Pending<T>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly queue: Queue<T>) {}

  /** Adds one job (a no-op when `jobId` is stored already); resolves whether it is in the failed set. */
  add(name: string, data: T, jobId: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ name, data, jobId, resolve, reject });
      if (!this.scheduled && this.inFlight < MAX_IN_FLIGHT) {
        this.scheduled = true;
        // Let the requests parsed in this event loop turn join the first batch.
        setImmediate(() => this.pump());
      }
    });
  }

  private pump(): void {
    this.scheduled = false;
    while (this.inFlight < MAX_IN_FLIGHT && this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      this.inFlight += 1;
      void this.flush(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async flush(batch: Pending<T>[]): Promise<void> {
    try {
      // Typed loosely: BullMQ's generic job-name types do not matter here.
      await (this.queue as Queue).addBulk(batch.map((p) => ({ name: p.name, data: p.data, opts: { jobId: p.jobId } })));
      // After the adds, in order: a redelivery of a job kept in the failed set must be re-armed.
      // The queues of this service are built on an ioredis connection (queues/stripe-events-queue.ts).
      // The failed set is one key, so this works on a cluster too (in the queue's slot).
      // One ZMSCORE (Redis ≥ 6.2) rather than a pipeline of ZSCOREs: an ioredis pipeline copies
      // every script BullMQ defined onto itself when it is built, a measurable cost per batch.
      const client = (await this.queue.backend.client) as unknown as RedisConnection;
      const scores = await client.zmscore(this.queue.toKey('failed'), ...batch.map((p) => p.jobId));
      batch.forEach((p, i) => p.resolve(scores[i] !== null));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}

export type EnqueueOutcome = 'enqueued' | 'rearmed';

/**
 * Adds one job through `batcher` (its queue is `queue`). A redelivery of a job that sits in the
 * failed set re-arms it: `add` alone would silently ignore it and it would never run again.
 */
export async function addOrRearm<T>(
  batcher: EnqueueBatcher<T>,
  queue: Queue<T>,
  name: string,
  data: T,
  jobId: string,
): Promise<EnqueueOutcome> {
  if (!(await batcher.add(name, data, jobId))) return 'enqueued';
  const job = await Job.fromId<T>(queue as Queue, jobId);
  try {
    await job?.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  } catch (error) {
    // A concurrent redelivery may have re-armed it first; only a job still failed is our problem.
    if ((await queue.getJobState(jobId)) === 'failed') throw error;
  }
  return 'rearmed';
}
