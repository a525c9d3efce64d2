/**
 * The queues of verified Stripe events (EVENT_QUEUE_PARTITIONS partitions, see partitions.ts) and
 * the one way to put an event on them. `jobId = event.id` makes BullMQ drop a redelivery while
 * the first job is still stored: the partition follows the event's customer, so a redelivery
 * always meets its first job.
 */
import { Job, JobType, Queue } from 'bullmq';
import type { RedisConnection } from '../runtime/redis';
import { addOrRearm, EnqueueBatcher, type EnqueueOutcome } from './enqueue-batcher';
import { stripeEventJobOptions } from './job-options';
import { eventPartitionKey, partitionOf, stripeEventQueueNames } from './partitions';
import type { StripeEventJob } from './payloads';
import type { StripeEvent } from './stripe-event';

export type StripeEventsQueue = Queue<StripeEventJob>;

/** Every partition of the Stripe event queue, and which one an event belongs to. */
export class StripeEventQueues {
  /**
   * One batcher (and in-flight cap) per partition: on a cluster a partition whose master is away
   * holds up only its own adds, and the others keep answering 200.
   */
  private readonly batchers: EnqueueBatcher<StripeEventJob>[];

  constructor(readonly partitions: readonly StripeEventsQueue[]) {
    this.batchers = partitions.map((queue) => new EnqueueBatcher(queue));
  }

  /** The partition of an event: its customer's (partitions.ts). */
  indexOf(event: StripeEvent): number {
    return partitionOf(eventPartitionKey(event), this.partitions.length);
  }

  of(event: StripeEvent): StripeEventsQueue {
    return this.partitions[this.indexOf(event)];
  }

  batcherOf(event: StripeEvent): EnqueueBatcher<StripeEventJob> {
    return this.batchers[this.indexOf(event)];
  }

  /** The job of an event id in whichever partition holds it (ids are unique across partitions). */
  async getJob(eventId: string): Promise<Job<StripeEventJob> | undefined> {
    for (const queue of this.partitions) {
      const job = await queue.getJob(eventId);
      if (job) return job;
    }
    return undefined;
  }

  /** Job counts summed over every partition. */
  async getJobCounts(...states: JobType[]): Promise<Record<string, number>> {
    const all = await Promise.all(this.partitions.map((queue) => queue.getJobCounts(...states)));
    const sum: Record<string, number> = {};
    for (const counts of all) for (const [state, n] of Object.entries(counts)) sum[state] = (sum[state] ?? 0) + n;
    return sum;
  }

  async close(): Promise<void> {
    await Promise.all(this.partitions.map((queue) => queue.close()));
  }
}

/** `partitions` queues on `connection` (tagged per partition on a cluster; see partitions.ts). */
export function createStripeEventQueues(
  connection: RedisConnection,
  prefix: string,
  partitions: number,
): StripeEventQueues {
  return new StripeEventQueues(
    stripeEventQueueNames(partitions, connection.isCluster).map(
      (name) => new Queue<StripeEventJob>(name, { connection, prefix, defaultJobOptions: stripeEventJobOptions }),
    ),
  );
}

export type { EnqueueOutcome } from './enqueue-batcher';

/**
 * Adds the event to its partition with its id as job id, batched with concurrent adds (see
 * enqueue-batcher.ts); a redelivery of an event whose job sits in the failed set re-arms it.
 */
export function enqueueStripeEvent(
  queues: StripeEventQueues,
  event: StripeEvent,
  source: StripeEventJob['source'],
): Promise<EnqueueOutcome> {
  return addOrRearm(queues.batcherOf(event), queues.of(event), event.type, { event, source }, event.id);
}
