/**
 * The Stripe event queues' processor: one BullMQ Worker per partition, all feeding one
 * EventBatcher (events/batcher.ts), so jobs of every partition that run at once share PostgreSQL
 * transactions. Permanent errors (a payload that can never apply) fail the job at once;
 * everything else retries with capped exponential backoff.
 */
import { KeepJobs, UnrecoverableError, Worker, WorkerOptions as BullWorkerOptions } from 'bullmq';
import { instrumentWorker, type Metrics } from '../metrics';
import type { RedisConnection } from '../runtime/redis';
import { cappedExponentialBackoff, completedJobRetention } from '../queues/job-options';
import type { StripeEventJob } from '../queues/payloads';
import { PermanentError } from '../events/handler-types';
import { EventBatcher, EventBatcherOptions } from '../events/batcher';
import { eventLogFields } from '../events/log-fields';
import type { EventOutcome, StripeEventDeps } from '../events/apply';

/**
 * How often one job may stall (its worker died, or its lock lapsed) and still be re-run. BullMQ's
 * default of 1 failed an event for good when two worker crashes caught it, though Stripe had its
 * 200 and never redelivers (found by chaos scenario 3). processed_events makes every re-run safe;
 * a poison event that kills its worker every time still ends in the failed set after this many.
 */
export const STRIPE_EVENT_MAX_STALLS = 20;

export interface WorkerOptions {
  connection: RedisConnection;
  prefix: string;
  /** The partitions' queue names (queues/partitions.ts `stripeEventQueueNames`). */
  queueNames: readonly string[];
  /** Jobs at once in this process, split evenly over the partitions. */
  concurrency: number;
  batch: EventBatcherOptions;
  /** Which completed jobs stay in Redis (default: queues/job-options.ts). */
  keepCompleted?: KeepJobs;
  /** Job durations and failures per queue (metrics.ts); none when absent. */
  metrics?: Metrics;
  /** BullMQ's lock and stalled-check timings; only tests change them. */
  timings?: Pick<BullWorkerOptions, 'lockDuration' | 'stalledInterval' | 'autorun'>;
}

/**
 * The error that fails a job for good, with the same message (Bull Board's failedReason) and the
 * PermanentError as its cause. BullMQ's UnrecoverableError takes a message only, so the cause is set after.
 */
export function unrecoverable(error: PermanentError): UnrecoverableError {
  return Object.assign(new UnrecoverableError(error.message), { cause: error });
}

export function createStripeEventWorkers(
  deps: StripeEventDeps,
  options: WorkerOptions,
): Worker<StripeEventJob, EventOutcome>[] {
  const batcher = new EventBatcher(deps, options.batch);
  const concurrency = Math.max(1, Math.ceil(options.concurrency / options.queueNames.length));
  return options.queueNames.map((name) => createWorker(name, batcher, deps, { ...options, concurrency }));
}

function createWorker(
  name: string,
  batcher: EventBatcher,
  deps: StripeEventDeps,
  options: WorkerOptions,
): Worker<StripeEventJob, EventOutcome> {
  const worker = new Worker<StripeEventJob, EventOutcome>(
    name,
    async (job) => {
      try {
        return await batcher.apply(job.data.event, job.data.source);
      } catch (error) {
        if (error instanceof PermanentError) throw unrecoverable(error);
        throw error;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      maxStalledCount: STRIPE_EVENT_MAX_STALLS,
      removeOnComplete: options.keepCompleted ?? completedJobRetention(),
      settings: { backoffStrategy: (attemptsMade) => cappedExponentialBackoff(attemptsMade) },
      ...options.timings,
    },
  );
  // Job log lines carry ids only (jobId, eventId, eventType, customerId), never the event payload.
  worker.on('completed', (job, outcome) => {
    if (deps.log.isLevelEnabled('debug'))
      deps.log.debug(
        { jobId: job.id, ...eventLogFields(job.data.event), source: job.data.source, outcome },
        'stripe event done',
      );
  });
  worker.on('failed', (job, error) =>
    deps.log.warn(
      { jobId: job?.id, ...eventLogFields(job?.data.event), attemptsMade: job?.attemptsMade, err: error },
      'stripe event failed',
    ),
  );
  worker.on('error', (error) => deps.log.error({ err: error }, 'worker error'));
  if (options.metrics) instrumentWorker(worker, options.metrics);
  return worker;
}
