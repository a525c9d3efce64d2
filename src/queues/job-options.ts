/**
 * Retention and retry policy of the Stripe event jobs.
 *
 * - Completed jobs are kept 7 days, longer than Stripe's 3-day retry window, so a redelivery
 *   within that window is deduplicated by BullMQ itself (processed_events guards beyond it).
 * - Failed jobs are kept 30 days so operators can inspect and retry them.
 * - Retries back off exponentially up to one hour per wait; 30 attempts span about 18 hours,
 *   which outlasts any PostgreSQL or Stripe outage worth waiting for.
 */
import { JobsOptions } from 'bullmq';
import { backoffWithJitter } from '../lib/backoff';

export const STRIPE_EVENT_ATTEMPTS = 30;

export const stripeEventJobOptions: JobsOptions = {
  attempts: STRIPE_EVENT_ATTEMPTS,
  backoff: { type: 'capped-exponential' },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** Delay before retry number `attemptsMade` (1-based): 1 s, 2 s, 4 s … capped at 1 h, ±20 % jitter. */
export function cappedExponentialBackoff(attemptsMade: number, random: () => number = Math.random): number {
  return backoffWithJitter(attemptsMade, { baseMs: 1_000, maxMs: 3_600_000 }, random);
}
