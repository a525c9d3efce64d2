/**
 * The access-notifications queue: one `deliver` job per access change (job id = notification id,
 * so a re-enqueue by the outbox relay is a no-op), and a `sweep` job every
 * ACCESS_SWEEP_INTERVAL_MS (grace periods running out, outbox relay, pruning; src/notify/).
 *
 * Retries: capped exponential backoff (1 s … 1 h, ±20 %) over 110 attempts, which spans more than
 * three days even at the low end of the jitter (test/notify/notifications.test.ts), as the contract
 * asks. Failed deliveries stay 30 days, visible in Bull Board.
 */
import { JobsOptions, Queue } from 'bullmq';
import type { RedisConnection } from '../runtime/redis';
import { clusterQueueName } from './partitions';

export const ACCESS_NOTIFICATIONS_QUEUE = 'access-notifications';
export const SWEEP_SCHEDULER_ID = 'access-sweep';
export const NOTIFICATION_ATTEMPTS = 110;

/** `deliver`: the body to POST; `sweep`: nothing. */
export type AccessNotificationJob = { body: Record<string, unknown> & { id: string } } | Record<string, never>;

export const deliveryJobOptions: JobsOptions = {
  attempts: NOTIFICATION_ATTEMPTS,
  backoff: { type: 'capped-exponential' },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export type AccessNotificationsQueue = Queue<AccessNotificationJob>;

export function createAccessNotificationsQueue(connection: RedisConnection, prefix: string): AccessNotificationsQueue {
  return new Queue<AccessNotificationJob>(clusterQueueName(ACCESS_NOTIFICATIONS_QUEUE, connection.isCluster), {
    connection,
    prefix,
  });
}

export async function scheduleSweep(queue: AccessNotificationsQueue, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    SWEEP_SCHEDULER_ID,
    { every: everyMs },
    { name: 'sweep', data: {}, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
  );
}

/** Enqueues the deliveries of these notification bodies (a body already enqueued is a no-op). */
export async function enqueueDeliveries(
  queue: AccessNotificationsQueue,
  bodies: ReadonlyArray<Record<string, unknown> & { id: string }>,
): Promise<void> {
  if (bodies.length === 0) return;
  await queue.addBulk(
    bodies.map((body) => ({ name: 'deliver', data: { body }, opts: { ...deliveryJobOptions, jobId: body.id } })),
  );
}
