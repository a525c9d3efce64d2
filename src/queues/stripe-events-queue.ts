/**
 * The queue of verified Stripe events and the one way to put an event on it.
 * `jobId = event.id` makes BullMQ drop a redelivery while the first job is still stored.
 */
import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { EnqueueBatcher } from './enqueue-batcher';
import { stripeEventJobOptions } from './job-options';
import { STRIPE_EVENTS_QUEUE } from './names';
import type { StripeEventJob } from './payloads';
import type { StripeEvent } from './stripe-event';

export type StripeEventsQueue = Queue<StripeEventJob>;

export function createStripeEventsQueue(connection: Redis, prefix: string): StripeEventsQueue {
  return new Queue<StripeEventJob>(STRIPE_EVENTS_QUEUE, { connection, prefix, defaultJobOptions: stripeEventJobOptions });
}

export type EnqueueOutcome = 'enqueued' | 'rearmed';

const batchers = new WeakMap<StripeEventsQueue, EnqueueBatcher<StripeEventJob>>();

function batcherOf(queue: StripeEventsQueue): EnqueueBatcher<StripeEventJob> {
  let batcher = batchers.get(queue);
  if (!batcher) batchers.set(queue, (batcher = new EnqueueBatcher(queue)));
  return batcher;
}

/**
 * Adds the event with its id as job id, batched with concurrent adds (see enqueue-batcher.ts). A redelivery of an event whose job sits in the failed
 * set re-arms that job: `add` alone would silently ignore it and the event would never apply.
 */
export async function enqueueStripeEvent(
  queue: StripeEventsQueue,
  event: StripeEvent,
  source: StripeEventJob['source'],
): Promise<EnqueueOutcome> {
  if (!(await batcherOf(queue).add(event.type, { event, source }, event.id))) return 'enqueued';
  const job = await Job.fromId<StripeEventJob>(queue, event.id);
  try {
    await job?.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  } catch (error) {
    // A concurrent redelivery may have re-armed it first; only a job still failed is our problem.
    if ((await queue.getJobState(event.id)) === 'failed') throw error;
  }
  return 'rearmed';
}
