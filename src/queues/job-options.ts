/**
 * Retention and retry policy of the Stripe event jobs.
 *
 * - Completed jobs are kept COMPLETED_JOB_RETENTION_SECONDS (default one hour), and at most
 *   COMPLETED_JOBS_MAX_COUNT of them. processed_events in PostgreSQL is the real dedupe: a
 *   redelivery after its job is gone is enqueued again and the worker's processed_events guard
 *   skips it in one cheap transaction. A completed job only saves that transaction for quick
 *   redeliveries and shows operators what just ran in Bull Board; an hour covers both, and the
 *   count cap bounds Redis whatever the rate (a backfill burst). The worker applies this rule
 *   (BullMQ's worker `removeOnComplete`), so it is configured where the jobs complete.
 * - Failed jobs are kept 30 days, uncapped: a failed job is an event not applied, and only an
 *   operator's retry (or a Stripe redelivery re-arming it) applies it; after 30 days the Events
 *   API no longer has it either.
 * - Retries back off exponentially up to one hour per wait; 30 attempts span about 18 hours,
 *   which outlasts any PostgreSQL or Stripe outage worth waiting for.
 */
import { JobsOptions, KeepJobs } from 'bullmq';
import { backoffWithJitter } from '../lib/backoff';

export const STRIPE_EVENT_ATTEMPTS = 30;

/** ≈ 48 MB of Redis at the measured ≈ 4.8 KB per completed job (BENCHMARKS.md). */
export const COMPLETED_JOBS_MAX_COUNT = 10_000;
export const DEFAULT_COMPLETED_JOB_RETENTION_SECONDS = 3600;

export const stripeEventJobOptions: JobsOptions = {
  attempts: STRIPE_EVENT_ATTEMPTS,
  backoff: { type: 'capped-exponential' },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** The worker's rule for completed jobs: younger than `ageSeconds` and among the newest COMPLETED_JOBS_MAX_COUNT. */
export function completedJobRetention(ageSeconds: number = DEFAULT_COMPLETED_JOB_RETENTION_SECONDS): KeepJobs {
  return { age: ageSeconds, count: COMPLETED_JOBS_MAX_COUNT };
}

/** Delay before retry number `attemptsMade` (1-based): 1 s, 2 s, 4 s … capped at 1 h, ±20 % jitter. */
export function cappedExponentialBackoff(attemptsMade: number, random: () => number = Math.random): number {
  return backoffWithJitter(attemptsMade, { baseMs: 1_000, maxMs: 3_600_000 }, random);
}

/** Scheduled operator jobs (maintenance, usage reconciliation): 3 attempts a minute apart and doubling, the last 100 kept. */
export const scheduledJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 60_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};
