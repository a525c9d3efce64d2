/** The maintenance queue's processor: scheduled replays of missed Stripe events and prunes of processed_events and the usage ledger, one at a time. */
import { Worker } from 'bullmq';
import { instrumentWorker } from '../metrics';
import { clusterQueueName } from '../queues/partitions';
import type { RedisConnection } from '../runtime/redis';
import {
  MAINTENANCE_QUEUE,
  MaintenanceJob,
  PRUNE_JOB,
  PruneJob,
  ReplayJob,
  USAGE_PRUNE_JOB,
} from '../queues/maintenance-queue';
import { pruneProcessedEvents, PruneReport } from '../ops/prune';
import { pruneUsageLedger } from '../ops/usage-prune';
import { ReplayDeps, ReplayReport, runReplay } from '../ops/replay';

export type MaintenanceReport = ReplayReport | PruneReport;

export function createMaintenanceWorker(
  deps: ReplayDeps,
  options: { connection: RedisConnection; prefix: string },
): Worker<MaintenanceJob, MaintenanceReport> {
  const worker = new Worker<MaintenanceJob, MaintenanceReport>(
    clusterQueueName(MAINTENANCE_QUEUE, options.connection.isCluster),
    async (job) => {
      const log = deps.log.child({ jobId: job.id, queue: MAINTENANCE_QUEUE });
      if (job.name === PRUNE_JOB) {
        const report = await pruneProcessedEvents(deps.dataSource, {
          retentionDays: (job.data as PruneJob).retentionDays,
        });
        deps.metrics?.processedEventsPruned.inc(report.deleted);
        log.info({ ...report }, 'processed_events pruned');
        return report;
      }
      if (job.name === USAGE_PRUNE_JOB) {
        const report = await pruneUsageLedger(deps.dataSource, { retentionDays: (job.data as PruneJob).retentionDays });
        deps.metrics?.usageLedgerPruned.inc(report.deleted);
        log.info({ ...report }, 'usage ledger pruned');
        return report;
      }
      const data = job.data as ReplayJob;
      const since = Math.floor(Date.now() / 1000) - data.lookbackSeconds;
      return runReplay({ ...deps, log }, { since, undeliveredOnly: data.undeliveredOnly, waitMs: 5 * 60_000 });
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, error) => deps.log.warn({ jobId: job?.id, err: error }, 'maintenance job failed'));
  worker.on('error', (error) => deps.log.error({ err: error }, 'maintenance worker error'));
  if (deps.metrics) instrumentWorker(worker, deps.metrics);
  return worker;
}
