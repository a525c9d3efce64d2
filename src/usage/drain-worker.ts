/**
 * Flow B's worker side: the `usage-drain` queue, its job scheduler (every USAGE_FLUSH_INTERVAL_MS),
 * the early drain when pending usage reaches USAGE_FLUSH_THRESHOLD, and the invoice flush of the
 * customers whose `invoice.created` arrived for a metered subscription (usage/invoice-flush.ts). One drain runs at a time (global
 * concurrency 1); even two at once would be safe, as identifiers and the ledger make sends idempotent.
 */
import { Worker } from 'bullmq';
import type { RedisConnection } from '../runtime/redis';
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { UsageDrainJob } from '../queues/payloads';
import { createUsageDrainQueue, requestDrain, scheduleUsageDrain, UsageDrainQueue } from '../queues/usage-drain-queue';
import { createStripeClient } from '../stripe';
import { UsageStore } from './claims';
import { drainUsage, DrainDeps, DrainResult, DrainScope } from './drain';
import { invoiceFlushHook } from './invoice-flush';
import { MeterRateLimited, MeterStream } from './meter-stream';
import { RateLimiter } from '../lib/rate-limiter';

export type UsageDrainConfig = Pick<
  Config,
  | 'KEY_PREFIX' | 'STRIPE_SECRET_KEY' | 'STRIPE_API_URL' | 'USAGE_FLUSH_INTERVAL_MS' | 'USAGE_FLUSH_THRESHOLD'
  | 'USAGE_WINDOW_SECONDS' | 'USAGE_THRESHOLD_CHECK_MS' | 'STRIPE_METER_RATE_LIMIT_PER_SECOND' | 'USAGE_INVOICE_FLUSH_DELAY_MS'
>;

export interface UsageDrainRole {
  queue: UsageDrainQueue;
  worker: Worker<UsageDrainJob, DrainResult>;
  /** The `usage_flush` effect of invoice.created (events/handlers/invoice.ts): flush that customer soon. */
  requestInvoiceFlush: ReturnType<typeof invoiceFlushHook>;
  /** Runs one drain in this process, outside the queue (tests, demo). */
  drainNow(scope?: DrainScope): Promise<DrainResult>;
  stop(): Promise<void>;
}

export interface UsageDrainContext {
  config: UsageDrainConfig;
  connection: RedisConnection;
  dataSource: DataSource;
  stripe: Stripe;
  log: Logger;
}

/** Everything one drain needs, built from the configuration (also used by a bare drain process). */
export function createDrainDeps(deps: UsageDrainContext, hooks: Pick<DrainDeps, 'afterBatchAccepted'> = {}): DrainDeps {
  const { config } = deps;
  return {
    store: new UsageStore(deps.connection, config.KEY_PREFIX),
    dataSource: deps.dataSource,
    stream: new MeterStream({
      stripe: deps.stripe,
      sessionClient: (token) => createStripeClient({ secretKey: token, apiUrl: config.STRIPE_API_URL, maxNetworkRetries: 3 }),
    }),
    limiter: new RateLimiter(config.STRIPE_METER_RATE_LIMIT_PER_SECOND),
    log: deps.log.child({ component: 'usage-drain' }),
    keyPrefix: config.KEY_PREFIX,
    windowSeconds: config.USAGE_WINDOW_SECONDS,
    ...hooks,
  };
}

export async function startUsageDrain(deps: UsageDrainContext, hooks: Pick<DrainDeps, 'afterBatchAccepted'> = {}): Promise<UsageDrainRole> {
  const { config, connection, log } = deps;
  const prefix = config.KEY_PREFIX;
  const queue = createUsageDrainQueue(connection, prefix);
  await queue.setGlobalConcurrency(1);
  await scheduleUsageDrain(queue, config.USAGE_FLUSH_INTERVAL_MS);
  const drainDeps = createDrainDeps(deps, hooks);
  const worker = new Worker<UsageDrainJob, DrainResult>(
    queue.name,
    async (job) => {
      try {
        return await drainUsage(drainDeps, job.data.reason === 'invoice' ? 'invoice-flush' : 'all');
      } catch (error) {
        // 429: pause the whole queue for a while; the job goes back to waiting without using an attempt.
        if (!(error instanceof MeterRateLimited)) throw error;
        await queue.rateLimit(error.retryAfterMs);
        throw Worker.RateLimitError();
      }
    },
    // The limiter is what makes queue.rateLimit() apply; 100 drains/s never binds otherwise.
    { connection, prefix, concurrency: 1, limiter: { max: 100, duration: 1000 } },
  );
  worker.on('failed', (job, error) => log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error.message }, 'usage drain failed'));
  worker.on('error', (error) => log.error({ err: error.message }, 'usage drain worker error'));
  const stopWatcher = watchThreshold(drainDeps.store, queue, config, log);
  return {
    queue,
    worker,
    requestInvoiceFlush: invoiceFlushHook({ queue, store: drainDeps.store, delayMs: config.USAGE_INVOICE_FLUSH_DELAY_MS, log }),
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
      .catch((error: Error) => log.warn({ err: error.message }, 'usage threshold check failed'))
      .finally(() => (busy = false));
  }, config.USAGE_THRESHOLD_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
