/**
 * The worker role: one BullMQ Worker per queue. Permanent errors (a payload that can never
 * apply) fail the job at once; everything else retries with capped exponential backoff.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { cappedExponentialBackoff } from '../queues/job-options';
import { STRIPE_EVENTS_QUEUE } from '../queues/names';
import type { StripeEventJob } from '../queues/payloads';
import { PermanentError } from './handler-types';
import { eventLogFields } from './log-fields';
import { applyStripeEvent, EventOutcome, StripeEventDeps } from './stripe-event';

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
}

export function createStripeEventWorker(deps: StripeEventDeps, options: WorkerOptions): Worker<StripeEventJob, EventOutcome> {
  const worker = new Worker<StripeEventJob, EventOutcome>(
    STRIPE_EVENTS_QUEUE,
    async (job) => {
      try {
        return await applyStripeEvent({ ...deps, log: deps.log.child({ jobId: job.id }) }, job.data.event);
      } catch (error) {
        if (error instanceof PermanentError) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      settings: { backoffStrategy: (attemptsMade) => cappedExponentialBackoff(attemptsMade) },
    },
  );
  // Job log lines carry ids only (jobId, eventId, eventType, customerId), never the event payload.
  worker.on('completed', (job, outcome) =>
    deps.log.debug({ jobId: job.id, ...eventLogFields(job.data.event), source: job.data.source, outcome }, 'stripe event done'));
  worker.on('failed', (job, error) =>
    deps.log.warn({ jobId: job?.id, ...eventLogFields(job?.data.event), attemptsMade: job?.attemptsMade, err: error.message }, 'stripe event failed'));
  worker.on('error', (error) => deps.log.error({ err: error.message }, 'worker error'));
  return worker;
}
