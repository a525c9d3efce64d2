/** The maintenance queue's processor: scheduled replays of missed Stripe events and prunes of processed_events and the usage ledger, one at a time. */
import { Worker } from 'bullmq';
import type { Logger } from '../logger';
import { instrumentWorker } from '../metrics';
import { clusterQueueName } from '../queues/partitions';
import type { RedisConnection } from '../runtime/redis';
import {
  MAINTENANCE_QUEUE,
  MaintenanceJob,
  PRUNE_JOB,
  PruneJob,
  REPLAY_JOB,
  ReplayJob,
  USAGE_PRUNE_JOB,
} from '../queues/maintenance-queue';
import { pruneProcessedEvents, PruneReport } from '../ops/prune';
import { pruneUsageLedger } from '../ops/usage-prune';
import { ReplayDeps, ReplayReport, runReplay } from '../ops/replay';

export type MaintenanceReport = ReplayReport | PruneReport;

type Processor = (data: MaintenanceJob, log: Logger) => Promise<MaintenanceReport>;

/** Every maintenance job this version runs, by job name. */
function maintenanceProcessors(deps: ReplayDeps): Record<string, Processor> {
  return {
    [PRUNE_JOB]: async (data, log) => {
      const report = await pruneProcessedEvents(deps.dataSource, { retentionDays: (data as PruneJob).retentionDays });
      deps.metrics?.processedEventsPruned.inc(report.deleted);
      log.info({ ...report }, 'processed_events pruned');
      return report;
    },
    [USAGE_PRUNE_JOB]: async (data, log) => {
      const report = await pruneUsageLedger(deps.dataSource, { retentionDays: (data as PruneJob).retentionDays });
      deps.metrics?.usageLedgerPruned.inc(report.deleted);
      log.info({ ...report }, 'usage ledger pruned');
      return report;
    },
    [REPLAY_JOB]: (data, log) => {
      const { lookbackSeconds, undeliveredOnly } = data as ReplayJob;
      const since = Math.floor(Date.now() / 1000) - lookbackSeconds;
      return runReplay({ ...deps, log }, { since, undeliveredOnly, waitMs: 5 * 60_000 });
    },
  };
}

export function createMaintenanceWorker(
  deps: ReplayDeps,
  options: { connection: RedisConnection; prefix: string },
): Worker<MaintenanceJob, MaintenanceReport> {
  const processors = maintenanceProcessors(deps);
  const worker = new Worker<MaintenanceJob, MaintenanceReport>(
    clusterQueueName(MAINTENANCE_QUEUE, options.connection.isCluster),
    async (job) => {
      const log = deps.log.child({ jobId: job.id, queue: MAINTENANCE_QUEUE });
      const run = Object.hasOwn(processors, job.name) ? processors[job.name] : undefined;
      // A job of a newer release reaching an older worker (rolling upgrade) fails, named, instead of
      // being taken for another job; its scheduler makes the next one for a worker that knows it.
      if (!run) throw new Error(`maintenance job "${job.name}" is unknown to this worker's version`);
      return run(job.data, log);
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, error) => deps.log.warn({ jobId: job?.id, err: error }, 'maintenance job failed'));
  worker.on('error', (error) => deps.log.error({ err: error }, 'maintenance worker error'));
  if (deps.metrics) instrumentWorker(worker, deps.metrics);
  return worker;
}
