/**
 * The `stripe-thin-events` queue's processor: one thin event notification per job (usage/rejections.ts
 * fetches and applies the meter error reports; other types are acknowledged). An event Stripe no
 * longer has (404: older than its 30 days) fails at once; anything else retries with capped backoff.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from '../logger';
import { instrumentWorker, type Metrics } from '../metrics';
import { cappedExponentialBackoff } from '../queues/job-options';
import { THIN_EVENTS_QUEUE } from '../queues/names';
import { clusterQueueName } from '../queues/partitions';
import type { ThinEventJob } from '../queues/thin-events-queue';
import type { RedisConnection } from '../runtime/redis';
import { isResourceMissing } from '../stripe';
import { applyThinEvent, type ThinEventDeps, type ThinEventOutcome } from '../usage/rejections';

export function createThinEventsWorker(
  deps: ThinEventDeps & { log: Logger; metrics?: Metrics },
  options: { connection: RedisConnection; prefix: string },
): Worker<ThinEventJob, ThinEventOutcome> {
  const worker = new Worker<ThinEventJob, ThinEventOutcome>(
    clusterQueueName(THIN_EVENTS_QUEUE, options.connection.isCluster),
    async (job) => {
      try {
        const outcome = await applyThinEvent(deps, job.data.notification);
        if (outcome.applied) deps.log.info({ eventId: job.id, ...outcome }, 'meter error report applied');
        return outcome;
      } catch (error) {
        if (isResourceMissing(error)) throw new UnrecoverableError(`thin event ${job.id} no longer exists at Stripe`);
        throw error;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: 5,
      settings: { backoffStrategy: (attemptsMade) => cappedExponentialBackoff(attemptsMade) },
    },
  );
  worker.on('failed', (job, error) =>
    deps.log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'thin event failed'),
  );
  worker.on('error', (error) => deps.log.error({ err: error }, 'thin events worker error'));
  if (deps.metrics) instrumentWorker(worker, deps.metrics);
  return worker;
}
