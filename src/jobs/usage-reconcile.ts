/**
 * The `usage-reconcile` queue's processor: one comparison of the last `lookbackSeconds` with Stripe
 * (usage/reconcile.ts) per job, one at a time; it stores the outcome, then sets the reconciliation
 * gauges from what is stored for the last 35 days (the same numbers the doctor reports).
 */
import { Worker } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { instrumentWorker, type Metrics } from '../metrics';
import type { UsageReconcileJob, UsageReconcileQueue } from '../queues/usage-reconcile-queue';
import type { RedisConnection } from '../runtime/redis';
import { reconcile, type ReconcileDeps, type ReconcileReport } from '../usage/reconcile';
import { OUTCOMES } from '../usage/reconcile-compare';
import { DIFFERING_SQL, type Differing } from '../usage/reconcile-ledger';
import { STRIPE_PAST_LIMIT_S } from '../usage/window';

export function createUsageReconcileWorker(
  queue: UsageReconcileQueue,
  deps: ReconcileDeps & { log: Logger; metrics?: Metrics },
  options: { connection: RedisConnection; prefix: string },
): Worker<UsageReconcileJob, ReconcileReport> {
  const worker = new Worker<UsageReconcileJob, ReconcileReport>(
    queue.name,
    async (job) => {
      const to = Math.floor((deps.now ?? Date.now)() / 1000);
      const report = await reconcile(deps, { from: to - job.data.lookbackSeconds, to });
      deps.log.info({ jobId: job.id, ...report }, 'usage reconciled');
      if (deps.metrics) await setGauges(deps.dataSource, deps.metrics, to);
      return report;
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, error) => deps.log.warn({ jobId: job?.id, err: error }, 'usage reconciliation failed'));
  worker.on('error', (error) => deps.log.error({ err: error }, 'usage reconcile worker error'));
  if (deps.metrics) instrumentWorker(worker, deps.metrics);
  return worker;
}

async function setGauges(dataSource: DataSource, metrics: Metrics, nowS: number): Promise<void> {
  const rows = (await dataSource.query(DIFFERING_SQL, [nowS - STRIPE_PAST_LIMIT_S])) as Differing[];
  for (const outcome of OUTCOMES.filter((o) => o !== 'confirmed')) {
    const row = rows.find((r) => r.outcome === outcome);
    metrics.usageReconcileHours.set({ outcome }, row?.hours ?? 0);
    metrics.usageReconcileUnits.set({ outcome }, Number(row?.units ?? 0));
  }
  metrics.usageReconcileLastRun.set(nowS);
}
