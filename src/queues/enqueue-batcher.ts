/**
 * Group commit for job adds: adds that arrive while batches are in flight (at most MAX_IN_FLIGHT
 * at once) or in the same event loop turn go to Redis together: per queue partition, one
 * `addBulk` pipeline followed by one ZMSCORE that asks which of those jobs sit in the failed set.
 * Two round trips per batch instead of two per job, with no timer: a lone request is sent at once,
 * so light load pays no linger.
 *
 * One batcher serves every partition, and a batch holds the adds of all of them: with a cap per
 * partition instead, six partitions flushed six times as many, six times smaller pipelines.
 *
 * Each caller's promise settles only after Redis answered for its job, so "resolved" still means
 * "durably stored"; a failed pipeline rejects every caller in it (they answer 503 and Stripe
 * retries; a job that did get stored is then a harmless duplicate).
 */
import type { Queue } from 'bullmq';
import type { RedisConnection } from '../runtime/redis';

interface Pending<T> {
  partition: number;
  name: string;
  data: T;
  jobId: string;
  resolve(inFailedSet: boolean): void;
  reject(error: unknown): void;
}

/** Most jobs per batch: bounds the size of the Redis writes (~4 KB per Stripe event). */
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

  /** `partitions[i]` is the queue of partition i. */
  constructor(private readonly partitions: readonly Queue<T>[]) {}

  /** Adds one job to a partition (a no-op when `jobId` is stored there already); resolves whether it is in the failed set. */
  add(partition: number, name: string, data: T, jobId: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ partition, name, data, jobId, resolve, reject });
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
      const byPartition = new Map<number, Pending<T>[]>();
      for (const p of batch) {
        const adds = byPartition.get(p.partition);
        if (adds) adds.push(p);
        else byPartition.set(p.partition, [p]);
      }
      void Promise.all([...byPartition].map(([partition, adds]) => this.flush(this.partitions[partition], adds))).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async flush(queue: Queue<T>, batch: Pending<T>[]): Promise<void> {
    try {
      // Typed loosely: BullMQ's generic job-name types do not matter here.
      await (queue as Queue).addBulk(batch.map((p) => ({ name: p.name, data: p.data, opts: { jobId: p.jobId } })));
      // After the adds, in order: a redelivery of a job kept in the failed set must be re-armed.
      // The queues of this service are built on an ioredis connection (queues/stripe-events-queue.ts).
      // The failed set is one key, so this works on a cluster too (in the queue's slot).
      // One ZMSCORE (Redis ≥ 6.2) rather than a pipeline of ZSCOREs: an ioredis pipeline copies
      // every script BullMQ defined onto itself when it is built, a measurable cost per batch.
      const client = (await queue.backend.client) as unknown as RedisConnection;
      const scores = await client.zmscore(queue.toKey('failed'), ...batch.map((p) => p.jobId));
      batch.forEach((p, i) => p.resolve(scores[i] !== null));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
