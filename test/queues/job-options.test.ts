import {
  cappedExponentialBackoff,
  completedJobRetention,
  COMPLETED_JOBS_MAX_COUNT,
  STRIPE_EVENT_ATTEMPTS,
  stripeEventJobOptions,
} from '../../src/queues/job-options';

const noJitter = () => 0.5;

test('backoff doubles from one second and is capped at one hour', () => {
  expect([1, 2, 3, 4].map((n) => cappedExponentialBackoff(n, noJitter))).toEqual([1000, 2000, 4000, 8000]);
  expect(cappedExponentialBackoff(13, noJitter)).toBe(3_600_000);
  expect(cappedExponentialBackoff(29, noJitter)).toBe(3_600_000);
});

test('jitter stays within ±20 %', () => {
  expect(cappedExponentialBackoff(5, () => 0)).toBe(12_800);
  expect(cappedExponentialBackoff(5, () => 1)).toBe(19_200);
});

test('retries outlast a 10-minute outage and span hours', () => {
  const waits = Array.from({ length: STRIPE_EVENT_ATTEMPTS - 1 }, (_, i) => cappedExponentialBackoff(i + 1, () => 0));
  const total = waits.reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThan(10 * 60_000);
  expect(total).toBeGreaterThan(6 * 3_600_000);
});

test('completed jobs are bounded by age and count; failed ones stay 30 days, uncapped', () => {
  expect(completedJobRetention()).toEqual({ age: 3600, count: COMPLETED_JOBS_MAX_COUNT });
  expect(completedJobRetention(60)).toEqual({ age: 60, count: 10_000 });
  // The worker's rule applies: a job option would override it.
  expect(stripeEventJobOptions.removeOnComplete).toBeUndefined();
  expect(stripeEventJobOptions.removeOnFail).toEqual({ age: 30 * 24 * 3600 });
});
