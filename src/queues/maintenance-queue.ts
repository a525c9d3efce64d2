/**
 * The maintenance queue: operator jobs that run on a schedule, today the replay of missed Stripe
 * events. A BullMQ job scheduler (`upsertJobScheduler`) adds one `replay` job every
 * REPLAY_INTERVAL_MS (one job per tick however many workers run); its return value, the replay
 * report, is visible in Bull Board.
 */
import { Queue } from 'bullmq';
import type { RedisConnection } from '../runtime/redis';
import { clusterQueueName } from './partitions';

export const MAINTENANCE_QUEUE = 'maintenance';
export const REPLAY_SCHEDULER_ID = 'replay-missed-events';

export interface ReplayJob {
  /** How far back each run looks; runs overlap so a late event is never between two windows. */
  lookbackSeconds: number;
  undeliveredOnly: boolean;
}

export type MaintenanceQueue = Queue<ReplayJob>;

export function createMaintenanceQueue(connection: RedisConnection, prefix: string): MaintenanceQueue {
  return new Queue<ReplayJob>(clusterQueueName(MAINTENANCE_QUEUE, connection.isCluster), {
    connection,
    prefix,
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
  });
}

/** Two intervals back (at most the Events API's 30 days); 0 removes the scheduler. */
export async function scheduleReplay(queue: MaintenanceQueue, intervalMs: number): Promise<void> {
  if (intervalMs === 0) {
    await queue.removeJobScheduler(REPLAY_SCHEDULER_ID);
    return;
  }
  const lookbackSeconds = Math.min(30 * 24 * 3600, Math.ceil((2 * intervalMs) / 1000));
  await queue.upsertJobScheduler(REPLAY_SCHEDULER_ID, { every: intervalMs }, { name: 'replay', data: { lookbackSeconds, undeliveredOnly: false } });
}
