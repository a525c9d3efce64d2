/**
 * Regression (chaos scenario 3): a Stripe event job caught by two worker crashes used to fail for
 * good ("job stalled more than allowable limit", BullMQ's default maxStalledCount of 1) although
 * Stripe had its 200 and never redelivers: the event was lost. Now it is re-run and applied.
 * A "crashed worker" here takes the job and never renews its lock nor finishes it.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { createStripeEventWorkers } from '../../src/jobs/stripe-events';
import { createLogger } from '../../src/logger';
import { STRIPE_EVENTS_QUEUE } from '../../src/queues/names';
import { parseStripeEvent } from '../../src/queues/stripe-event';
import {
  createStripeEventQueues,
  enqueueStripeEvent,
  StripeEventQueues,
  StripeEventsQueue,
} from '../../src/queues/stripe-events-queue';
import { createStripeClient } from '../../src/stripe';
import { waitFor } from '../../src/lib/wait';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../support/redis';
import { customer, event } from '../../stand-in/events';
import { StripeStandIn } from '../../stand-in/index';

const prefix = testPrefix();
const connections: Redis[] = [];
const redis = () => {
  const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  connections.push(r);
  return r;
};
let db: TestDatabase;
let dataSource: DataSource;
let standIn: StripeStandIn;
let queues: StripeEventQueues;
let queue: StripeEventsQueue;
const workers: Worker[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = createDataSource(db.url, { poolSize: 2 });
  await dataSource.initialize();
  standIn = await StripeStandIn.start();
  queues = createStripeEventQueues(redis(), prefix, 1);
  [queue] = queues.partitions;
});
afterAll(async () => {
  for (const w of workers) await w.close(true);
  await queues.close();
  for (const r of connections) await r.quit();
  await dataSource.destroy();
  await standIn.close();
  await db.drop();
  await deleteKeys(prefix);
});

test('a job whose worker crashed twice is re-run and applied, not failed for good', async () => {
  const evt = event('customer.created', customer());
  const parsed = parseStripeEvent(JSON.parse(JSON.stringify(evt)));
  if (!parsed.ok) throw new Error(parsed.reason);
  await enqueueStripeEvent(queues, parsed.event, 'webhook');

  const stripe = createStripeClient({ secretKey: 'sk_test_standin', apiUrl: standIn.url });
  const [real] = createStripeEventWorkers(
    { dataSource, stripe, log: createLogger('silent') },
    {
      connection: redis(),
      prefix,
      queueNames: [STRIPE_EVENTS_QUEUE],
      concurrency: 1,
      batch: { maxBatch: 1, maxInFlight: 1 },
      timings: { autorun: false, lockDuration: 300, stalledInterval: 150 },
    },
  );
  const crashed = new Worker(STRIPE_EVENTS_QUEUE, undefined, {
    connection: redis(),
    prefix,
    lockDuration: 300,
    autorun: false,
  });
  workers.push(real, crashed);
  void real.startStalledCheckTimer();

  for (const token of ['crashed-worker-1', 'crashed-worker-2']) {
    await waitFor(async () => (await queue.getJobState(evt.id)) === 'waiting', 10_000, 'the job to wait');
    const job = await crashed.getNextJob(token);
    expect(job?.id).toBe(evt.id);
    // The stalled checker finds the lock gone and puts the job back (BullMQ marks it to fail on its
    // next pick-up once it stalled more than maxStalledCount times).
    await waitFor(async () => (await queue.getJobState(evt.id)) === 'waiting', 10_000, 'the stall to be noticed');
  }

  void real.run();
  const final = await waitFor(
    async () => {
      const state = await queue.getJobState(evt.id);
      return ['completed', 'failed'].includes(state) ? state : null;
    },
    10_000,
    'the job to finish',
  );
  expect({ state: final, failedReason: (await queue.getJob(evt.id))?.failedReason }).toEqual({
    state: 'completed',
    failedReason: undefined,
  });
  expect(await dataSource.query('SELECT stripe_event_id FROM processed_events')).toEqual([{ stripe_event_id: evt.id }]);
});
