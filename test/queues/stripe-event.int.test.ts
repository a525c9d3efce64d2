/**
 * No payment details in Redis (contract): an event is scrubbed (lib/payment-details.ts) before it
 * is enqueued, so the job data BullMQ keeps (1 h after success, 30 days after failure, in the AOF,
 * in Bull Board) never holds a card's last 4 digits, expiry or fingerprint, a bank account's
 * routing number or a payment method's billing details: webhook deliveries, done or failed, and
 * replayed events alike.
 */
import { Redis } from 'ioredis';
import { createLogger } from '../../src/logger';
import { RateLimiter } from '../../src/lib/rate-limiter';
import { runReplay } from '../../src/ops/replay';
import { createStripeClient } from '../../src/stripe';
import { waitFor } from '../../src/lib/wait';
import * as build from '../../stand-in/events';
import { TEST_REDIS_URL } from '../support/redis';
import { settle, startTestService, TestService } from '../support/service';

let t: TestService;
let redis: Redis;
beforeAll(async () => {
  t = await startTestService();
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

/** What Stripe puts in a card payment: none of it may reach a job. */
const SECRETS = ['"last4"', '"exp_month"', '"exp_year"', '"fingerprint"', '"billing_details"', 'Jenny Rosen', '4242'];

/** The `data` of every job BullMQ stores under the test's prefix, whatever its state. */
async function storedJobData(): Promise<string[]> {
  const out: string[] = [];
  for await (const keys of redis.scanStream({ match: `${t.prefix}:*`, type: 'hash', count: 1000 }) as AsyncIterable<
    string[]
  >) {
    for (const key of keys) {
      const data = await redis.hget(key, 'data');
      if (data !== null) out.push(data);
    }
  }
  return out;
}

const cardPayment = (suffix: string) => {
  const pm = build.object('payment_method', {
    id: `pm_Scrub${suffix}`,
    customer: `cus_Scrub${suffix}`,
    billing_details: { name: 'Jenny Rosen' },
    card: { last4: '4242', exp_month: 12, exp_year: 2031, fingerprint: 'Xt5EWLLDS7FJjR1c' },
  });
  const charge = build.object('charge', {
    id: `ch_Scrub${suffix}`,
    customer: `cus_Scrub${suffix}`,
    billing_details: { name: 'Jenny Rosen' },
    payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242', exp_year: 2031 } },
  });
  return [build.event('payment_method.attached', pm), build.event('charge.succeeded', charge)];
};

test('webhook jobs, done or failed, hold no payment details; the mirror still gets the rest', async () => {
  const [attached, charged] = cardPayment('W');
  // A malformed customer (its email a number) fails for good, so its job stays failed for 30 days,
  // with the cards of its legacy `sources` list in it.
  const broken = build.event('customer.updated', {
    ...build.customer({ id: 'cus_ScrubBroken' }),
    email: 42,
    sources: {
      object: 'list',
      data: [{ id: 'card_1', object: 'card', last4: '4242', exp_year: 2031, name: 'Jenny Rosen' }],
    },
  });
  for (const e of [attached, charged, broken]) expect((await t.deliver(e)).status).toBe(200);
  await settle(t);
  const queues = t.service.eventQueues!;
  await waitFor(async () => (await queues.getJob(broken.id))?.failedReason !== undefined, 10_000, 'the failure');
  expect((await queues.getJobCounts('completed', 'failed')).failed).toBeGreaterThanOrEqual(1);
  const data = await storedJobData();
  expect(data.length).toBeGreaterThanOrEqual(3);
  for (const secret of SECRETS) expect(data.filter((d) => d.includes(secret))).toEqual([]);
  const [row] = await t.service.dataSource.query("SELECT data FROM stripe_objects WHERE stripe_id = 'ch_ScrubW'");
  expect(row.data.payment_method_details).toMatchObject({ type: 'card', card: { brand: 'visa', funding: 'credit' } });
  expect(row.data.payment_method_details.card).not.toHaveProperty('last4');
});

test('replayed events are scrubbed the same way', async () => {
  const events = cardPayment('R');
  for (const e of events) t.standIn.addEvent(e as never);
  const report = await runReplay(
    {
      stripe: createStripeClient({ secretKey: 'sk_test_replay', apiUrl: t.standIn.url }),
      queues: t.service.eventQueues!,
      dataSource: t.service.dataSource,
      limiter: new RateLimiter(1000),
      log: createLogger('silent'),
      backoff: { baseDelayMs: 20 },
    },
    { since: Math.floor(Date.now() / 1000) - 3600, waitMs: 10_000 },
  );
  expect(report.new).toBe(2);
  for (const e of events) expect(await t.service.eventQueues!.getJob(e.id)).toBeDefined();
  const data = await storedJobData();
  for (const secret of SECRETS) expect(data.filter((d) => d.includes(secret))).toEqual([]);
});
