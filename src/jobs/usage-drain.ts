/**
 * The `usage-drain` queue's processor: one drain per job (everything pending, or the customers an
 * invoice asked to flush), run one at a time (the queue's global concurrency is 1). A 429 from
 * Stripe pauses the whole queue for Stripe's Retry-After and puts the job back without using an
 * attempt; any other failure retries with the queue's backoff.
 */
import { Worker } from 'bullmq';
import type { Logger } from '../logger';
import { instrumentWorker, type Metrics } from '../metrics';
import type { UsageDrainJob } from '../queues/payloads';
import type { UsageDrainQueue, UsageDrainResult } from '../queues/usage-drain-queue';
import type { RedisConnection } from '../runtime/redis';
import { drainUsage, DrainDeps } from '../usage/drain';
import { MeterRateLimited } from '../usage/meter-stream';

export function createUsageDrainWorker(
  queue: UsageDrainQueue,
  drainDeps: DrainDeps,
  options: { connection: RedisConnection; prefix: string; log: Logger; metrics?: Metrics },
): Worker<UsageDrainJob, UsageDrainResult> {
  const { connection, prefix, log, metrics } = options;
  const worker = new Worker<UsageDrainJob, UsageDrainResult>(
    queue.name,
    async (job) => {
      try {
        return await drainUsage(drainDeps, job.data.reason === 'invoice' ? 'invoice-flush' : 'all');
      } catch (error) {
        if (!(error instanceof MeterRateLimited)) throw error;
        await queue.rateLimit(error.retryAfterMs);
        throw Worker.RateLimitError();
      }
    },
    // The limiter is what makes queue.rateLimit() apply; 100 drains/s never binds otherwise.
    { connection, prefix, concurrency: 1, limiter: { max: 100, duration: 1000 } },
  );
  worker.on('failed', (job, error) =>
    log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'usage drain failed'),
  );
  worker.on('error', (error) => log.error({ err: error }, 'usage drain worker error'));
  if (metrics) {
    instrumentWorker(worker, metrics);
    worker.on('completed', (_job, result) => {
      metrics.usageEventsSent.inc(result.events);
      metrics.usageValueSent.inc(result.value);
    });
  }
  return worker;
}
