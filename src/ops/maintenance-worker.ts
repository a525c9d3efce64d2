/** Runs the maintenance queue's jobs (scheduled replays), one at a time. */
import { Worker } from 'bullmq';
import { clusterQueueName } from '../queues/partitions';
import type { RedisConnection } from '../runtime/redis';
import { MAINTENANCE_QUEUE, ReplayJob } from '../queues/maintenance-queue';
import { ReplayDeps, ReplayReport, runReplay } from './replay';

export function createMaintenanceWorker(deps: ReplayDeps, options: { connection: RedisConnection; prefix: string }): Worker<ReplayJob, ReplayReport> {
  const worker = new Worker<ReplayJob, ReplayReport>(
    clusterQueueName(MAINTENANCE_QUEUE, options.connection.isCluster),
    async (job) => {
      const since = Math.floor(Date.now() / 1000) - job.data.lookbackSeconds;
      const log = deps.log.child({ jobId: job.id, queue: MAINTENANCE_QUEUE });
      return runReplay({ ...deps, log }, { since, undeliveredOnly: job.data.undeliveredOnly, waitMs: 5 * 60_000 });
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, error) => deps.log.warn({ jobId: job?.id, err: error.message }, 'maintenance job failed'));
  worker.on('error', (error) => deps.log.error({ err: error.message }, 'maintenance worker error'));
  return worker;
}
