/**
 * The usage reconciliation queue (flow C): a BullMQ job scheduler adds one `reconcile` job every
 * USAGE_RECONCILE_INTERVAL_MS (0 removes it), one run at a time (global concurrency 1). Each run
 * compares the last 35 days with Stripe's meter event summaries and stores the outcome; its report
 * is the job's return value in Bull Board. A failed run retries a few times; the next tick runs anyway.
 */
import { Queue } from 'bullmq';
import type { RedisConnection } from '../runtime/redis';
import { USAGE_RECONCILE_QUEUE } from './names';
import { scheduledJobOptions } from './job-options';
import { clusterQueueName } from './partitions';

export const USAGE_RECONCILE_SCHEDULER_ID = 'usage-reconcile-every';

/** How far back a scheduled run compares (Stripe takes no meter event older than 35 days). */
export interface UsageReconcileJob {
  lookbackSeconds: number;
}

export type UsageReconcileQueue = Queue<UsageReconcileJob>;

export function createUsageReconcileQueue(connection: RedisConnection, prefix: string): UsageReconcileQueue {
  return new Queue<UsageReconcileJob>(clusterQueueName(USAGE_RECONCILE_QUEUE, connection.isCluster), {
    connection,
    prefix,
    defaultJobOptions: scheduledJobOptions,
  });
}

/** Runs every `everyMs` (0 removes the scheduler; the command still works). */
export async function scheduleUsageReconcile(
  queue: UsageReconcileQueue,
  everyMs: number,
  lookbackSeconds: number,
): Promise<void> {
  if (everyMs === 0) await queue.removeJobScheduler(USAGE_RECONCILE_SCHEDULER_ID);
  else
    await queue.upsertJobScheduler(
      USAGE_RECONCILE_SCHEDULER_ID,
      { every: everyMs },
      { name: 'reconcile', data: { lookbackSeconds } },
    );
}
