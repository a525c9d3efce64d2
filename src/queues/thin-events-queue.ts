/**
 * The queue of Stripe's thin event notifications (`"object":"v2.core.event"`, from an event
 * destination): the webhook route enqueues each verified notification once, job id = its `evt_…`
 * id, with the same retention and retries as Stripe events (job-options.ts), and a redelivery of a
 * failed one re-arms it. The worker (jobs/thin-events.ts) fetches the full event and applies it.
 * A notification is small (no `data`), so the job holds it whole.
 */
import { Queue } from 'bullmq';
import type { RedisConnection } from '../runtime/redis';
import { addOrRearm, EnqueueBatcher, type EnqueueOutcome } from './enqueue-batcher';
import { stripeEventJobOptions } from './job-options';
import { THIN_EVENTS_QUEUE } from './names';
import { clusterQueueName } from './partitions';

/** A verified thin event notification as Stripe POSTed it (stripe-node parses it again in the worker). */
export interface ThinNotification {
  id: string;
  object: 'v2.core.event';
  type: string;
  /** RFC 3339. */
  created: string;
  livemode?: boolean;
  context?: string | null;
  related_object?: { id: string; type: string; url: string } | null;
  [key: string]: unknown;
}

export interface ThinEventJob {
  notification: ThinNotification;
}

export class ThinEventsQueue {
  private readonly batcher: EnqueueBatcher<ThinEventJob>;

  constructor(readonly queue: Queue<ThinEventJob>) {
    this.batcher = new EnqueueBatcher(queue);
  }

  /** Enqueues a notification once per id (a failed job is re-armed). */
  enqueue(notification: ThinNotification): Promise<EnqueueOutcome> {
    return addOrRearm(this.batcher, this.queue, notification.type, { notification }, notification.id);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export function createThinEventsQueue(connection: RedisConnection, prefix: string): ThinEventsQueue {
  const name = clusterQueueName(THIN_EVENTS_QUEUE, connection.isCluster);
  return new ThinEventsQueue(
    new Queue<ThinEventJob>(name, { connection, prefix, defaultJobOptions: stripeEventJobOptions }),
  );
}
