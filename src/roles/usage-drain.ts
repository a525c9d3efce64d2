/**
 * Flow B's worker side, wired: the `usage-drain` queue, its job scheduler (every
 * USAGE_FLUSH_INTERVAL_MS), its processor (jobs/usage-drain.ts), the early drain when pending usage
 * reaches USAGE_FLUSH_THRESHOLD, and the invoice flush of customers whose `invoice.created` arrived
 * for a metered subscription (usage/invoice-flush.ts). One drain runs at a time (global concurrency
 * 1); even two at once would be safe, as identifiers and the ledger make sends idempotent.
 */
import type { Worker } from 'bullmq';
import { createUsageDrainWorker } from '../jobs/usage-drain';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { UsageDrainJob } from '../queues/payloads';
import {
  createUsageDrainQueue,
  requestDrain,
  scheduleUsageDrain,
  UsageDrainQueue,
  type UsageDrainResult,
} from '../queues/usage-drain-queue';
import { drainUsage, DrainDeps, DrainScope } from '../usage/drain';
import { createDrainDeps, UsageDrainConfig, UsageDrainContext } from '../usage/drain-deps';
import { invoiceFlushHook } from '../usage/invoice-flush';
import type { UsageStore } from '../usage/usage-store';

export interface UsageDrainRole {
  queue: UsageDrainQueue;
  worker: Worker<UsageDrainJob, UsageDrainResult>;
  /** The `usage_flush` effect of invoice.created (events/handlers/invoice.ts): flush that customer soon. */
  requestInvoiceFlush: ReturnType<typeof invoiceFlushHook>;
  /** Runs one drain in this process, outside the queue (tests, demo). */
  drainNow(scope?: DrainScope): Promise<UsageDrainResult>;
  stop(): Promise<void>;
}

export async function startUsageDrain(
  deps: UsageDrainContext & { metrics?: Metrics },
  hooks: Pick<DrainDeps, 'afterBatchAccepted'> = {},
): Promise<UsageDrainRole> {
  const { config, connection, log } = deps;
  const queue = createUsageDrainQueue(connection, config.KEY_PREFIX);
  await queue.setGlobalConcurrency(1);
  await scheduleUsageDrain(queue, config.USAGE_FLUSH_INTERVAL_MS);
  const drainDeps = createDrainDeps(deps, hooks);
  const worker = createUsageDrainWorker(queue, drainDeps, {
    connection,
    prefix: config.KEY_PREFIX,
    log,
    metrics: deps.metrics,
  });
  const stopWatcher = watchThreshold(drainDeps.store, queue, config, log);
  return {
    queue,
    worker,
    requestInvoiceFlush: invoiceFlushHook({
      queue,
      store: drainDeps.store,
      delayMs: config.USAGE_INVOICE_FLUSH_DELAY_MS,
      log,
    }),
    drainNow: (scope) => drainUsage(drainDeps, scope),
    stop: async () => {
      stopWatcher();
      await worker.close();
      await queue.close();
    },
  };
}

/** Checks pending usage every USAGE_THRESHOLD_CHECK_MS and requests an early drain at the threshold. */
function watchThreshold(store: UsageStore, queue: UsageDrainQueue, config: UsageDrainConfig, log: Logger): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    store
      .pendingReached(config.USAGE_FLUSH_THRESHOLD)
      .then((reached) => (reached ? requestDrain(queue, { reason: 'threshold' }, 'threshold') : undefined))
      .catch((error: Error) => log.warn({ err: error }, 'usage threshold check failed'))
      .finally(() => (busy = false));
  }, config.USAGE_THRESHOLD_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
