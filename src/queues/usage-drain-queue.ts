/**
 * The usage drain queue: its job options and the one way to ask for a drain. Scheduled drains keep
 * a short history; early and invoice-flush drains are removed when done, so the same job id can be
 * requested again later (while one waits, asking again is a no-op).
 */
import { JobsOptions, Queue } from 'bullmq';
import type { RedisConnection } from '../runtime/redis';
import { USAGE_DRAIN_QUEUE } from './names';
import { clusterQueueName } from './partitions';
import type { UsageDrainJob } from './payloads';

/** What a drain reports (usage/drain.ts), the usage-drain job's return value. */
export interface UsageDrainResult {
  /** Claims delivered and released. */
  claims: number;
  /** Events Stripe accepted in this drain. */
  events: number;
  /** Sum of the values of the events sent (a metric; exact totals live in usage_reports). */
  value: number;
  /** Meter event stream requests made. */
  requests: number;
  /** Events the ledger showed accepted already (resumed claims), not sent again. */
  skipped: number;
}

export type UsageDrainQueue = Queue<UsageDrainJob, UsageDrainResult>;

export const USAGE_DRAIN_SCHEDULER_ID = 'usage-drain-every';

const retry: JobsOptions = { attempts: 10, backoff: { type: 'exponential', delay: 1000 } };
export const scheduledDrainJobOptions: JobsOptions = {
  ...retry,
  removeOnComplete: { count: 200 },
  removeOnFail: { count: 1000 },
};
export const triggeredDrainJobOptions: JobsOptions = { ...retry, removeOnComplete: true, removeOnFail: true };

export function createUsageDrainQueue(connection: RedisConnection, prefix: string): UsageDrainQueue {
  return new Queue<UsageDrainJob, UsageDrainResult>(clusterQueueName(USAGE_DRAIN_QUEUE, connection.isCluster), {
    connection,
    prefix,
  });
}

/**
 * Creates or updates the scheduler that drains every `everyMs` (safe from many processes at once).
 * The first scheduled drain comes one interval after the scheduler is created or its interval
 * changes: with `every` alone BullMQ would run one at once, so each new deployment (and every test
 * service) would drain at start-up. `startDate` only applies then; when the scheduler already
 * exists, a restarting worker keeps its next run time.
 */
export async function scheduleUsageDrain(queue: UsageDrainQueue, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    USAGE_DRAIN_SCHEDULER_ID,
    { every: everyMs, startDate: Date.now() + everyMs },
    { name: 'schedule', data: { reason: 'schedule' }, opts: scheduledDrainJobOptions },
  );
}

/** Asks for a drain now or after `delayMs` (`jobId` coalesces repeated asks while one is waiting). */
export async function requestDrain(
  queue: UsageDrainQueue,
  job: UsageDrainJob,
  jobId: string,
  delayMs = 0,
): Promise<void> {
  await queue.add(job.reason, job, { ...triggeredDrainJobOptions, jobId, ...(delayMs > 0 ? { delay: delayMs } : {}) });
}
