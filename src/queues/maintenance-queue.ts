/**
 * The maintenance queue: operator jobs that run on a schedule. BullMQ job schedulers
 * (`upsertJobScheduler`) add one job per tick however many workers run:
 * - `replay` every REPLAY_INTERVAL_MS: re-enqueues missed Stripe events;
 * - `prune-processed-events` every PROCESSED_EVENTS_PRUNE_INTERVAL_MS: deletes processed_events rows
 *   older than PROCESSED_EVENTS_RETENTION_DAYS;
 * - `prune-usage-ledger` on the same interval: the usage ledger past USAGE_LEDGER_RETENTION_DAYS.
 * Their return values (the replay report, the prune report) are visible in Bull Board.
 */
import { Queue } from 'bullmq';
import type { RedisConnection } from '../runtime/redis';
import { scheduledJobOptions } from './job-options';
import { clusterQueueName } from './partitions';

export const MAINTENANCE_QUEUE = 'maintenance';
export const REPLAY_SCHEDULER_ID = 'replay-missed-events';
export const PRUNE_SCHEDULER_ID = 'prune-processed-events';
export const REPLAY_JOB = 'replay';
export const PRUNE_JOB = 'prune-processed-events';
export const USAGE_PRUNE_SCHEDULER_ID = 'prune-usage-ledger';
export const USAGE_PRUNE_JOB = 'prune-usage-ledger';

export interface ReplayJob {
  /** How far back each run looks; runs overlap so a late event is never between two windows. */
  lookbackSeconds: number;
  undeliveredOnly: boolean;
}

export interface PruneJob {
  retentionDays: number;
}

export type MaintenanceJob = ReplayJob | PruneJob;
export type MaintenanceQueue = Queue<MaintenanceJob>;

export function createMaintenanceQueue(connection: RedisConnection, prefix: string): MaintenanceQueue {
  return new Queue<MaintenanceJob>(clusterQueueName(MAINTENANCE_QUEUE, connection.isCluster), {
    connection,
    prefix,
    defaultJobOptions: scheduledJobOptions,
  });
}

/** Runs `every` ms (0 removes the scheduler). */
async function schedule(
  queue: MaintenanceQueue,
  id: string,
  every: number,
  template: { name: string; data: MaintenanceJob },
): Promise<void> {
  if (every === 0) await queue.removeJobScheduler(id);
  else await queue.upsertJobScheduler(id, { every }, template);
}

/** Two intervals back (at most the Events API's 30 days); 0 removes the scheduler. */
export async function scheduleReplay(queue: MaintenanceQueue, intervalMs: number): Promise<void> {
  const lookbackSeconds = Math.min(30 * 24 * 3600, Math.ceil((2 * intervalMs) / 1000));
  await schedule(queue, REPLAY_SCHEDULER_ID, intervalMs, {
    name: REPLAY_JOB,
    data: { lookbackSeconds, undeliveredOnly: false },
  });
}

/** Prunes processed_events every `intervalMs` (0 removes the scheduler). */
export async function schedulePrune(queue: MaintenanceQueue, intervalMs: number, retentionDays: number): Promise<void> {
  await schedule(queue, PRUNE_SCHEDULER_ID, intervalMs, { name: PRUNE_JOB, data: { retentionDays } });
}

/** Prunes the usage ledger every `intervalMs` (0 removes the scheduler). */
export async function scheduleUsagePrune(
  queue: MaintenanceQueue,
  intervalMs: number,
  retentionDays: number,
): Promise<void> {
  await schedule(queue, USAGE_PRUNE_SCHEDULER_ID, intervalMs, { name: USAGE_PRUNE_JOB, data: { retentionDays } });
}
