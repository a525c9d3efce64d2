/** POST /webhooks/stripe: what is accepted, what is refused with which status, and that refusals enqueue nothing. */
import { Worker } from 'bullmq';
import { STRIPE_EVENT_ATTEMPTS } from '../../src/queues/job-options';
import { Redis } from 'ioredis';
import { http } from '../../stand-in/http-client';
import { waitFor } from '../../src/lib/wait';
import { TEST_REDIS_URL } from '../support/redis';
import { customer, event, signWebhook } from '../../stand-in/events';
import { rows, settle, startTestService, TestService, WEBHOOK_SECRET } from '../support/service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService({ STRIPE_WEBHOOK_SECRET: `whsec_rotated_out,${WEBHOOK_SECRET}` });
});
afterAll(async () => t.stop());

const post = (body: string | Buffer, headers: Record<string, string>) =>
  http('POST', `${t.url}/webhooks/stripe`, { body, headers: { 'content-type': 'application/json', ...headers } });

async function jobCount(): Promise<number> {
  const counts = await t.service.eventQueues!.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe('refused deliveries change nothing', () => {
  const body = JSON.stringify(event('customer.created', customer()));
  const now = Math.floor(Date.now() / 1000);

  test.each([
    ['no signature', 400, () => post(body, {})],
    [
      'a signature made with another secret',
      400,
      () => post(body, { 'stripe-signature': signWebhook(body, 'whsec_wrong') }),
    ],
    [
      'a stale timestamp (301 s old)',
      400,
      () => post(body, { 'stripe-signature': signWebhook(body, WEBHOOK_SECRET, now - 301) }),
    ],
    [
      'a tampered body',
      400,
      () =>
        post(body.replace('customer.created', 'customer.deleted'), {
          'stripe-signature': signWebhook(body, WEBHOOK_SECRET),
        }),
    ],
    [
      'signed malformed JSON',
      400,
      () => post('{"id": "evt_1",', { 'stripe-signature': signWebhook('{"id": "evt_1",', WEBHOOK_SECRET) }),
    ],
    [
      'a signed body that is not an event',
      400,
      () => {
        const notEvent = JSON.stringify(customer());
        return post(notEvent, { 'stripe-signature': signWebhook(notEvent, WEBHOOK_SECRET) });
      },
    ],
    [
      'a body over 1 MiB',
      413,
      () => {
        const huge = JSON.stringify({ ...event('customer.created', customer()), padding: 'x'.repeat(1024 * 1024) });
        return post(huge, { 'stripe-signature': signWebhook(huge, WEBHOOK_SECRET) });
      },
    ],
  ] as const)('%s → %i', async (_name, status, send) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error: expect.any(String) });
    expect(await jobCount()).toBe(0);
  });
});

test('either configured secret is accepted (rotation)', async () => {
  const c = customer();
  const res = await t.deliver(event('customer.created', c), { secret: 'whsec_rotated_out' });
  expect(res.status).toBe(200);
  await settle(t);
  expect(await rows(t, 'customers', 'stripe_id')).toContainEqual({ stripe_id: c.id });
});

test('the stored job carries the retry and retention policy', async () => {
  const evt = event('customer.created', customer());
  expect((await t.deliver(evt)).status).toBe(200);
  const job = await t.service.eventQueues!.getJob(evt.id);
  expect(job?.opts).toMatchObject({
    attempts: STRIPE_EVENT_ATTEMPTS,
    backoff: { type: 'capped-exponential' },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
  // Completed jobs follow the worker's rule (COMPLETED_JOB_RETENTION_SECONDS), not one stored per job.
  expect(job?.opts.removeOnComplete).toBeUndefined();
  await settle(t);
});

test('a signed event whose object has no id and no table gets 200 and changes no row', async () => {
  const before = await rows(t, 'processed_events');
  const res = await t.deliver(
    event('balance.available', { object: 'balance', available: [{ amount: 1, currency: 'usd' }] }),
  );
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ received: true });
  await settle(t);
  expect(await rows(t, 'processed_events')).toEqual(before);
});

test('a signed event of an object with no typed table is kept in stripe_objects', async () => {
  const res = await t.deliver(
    event('charge.refunded', { id: 'ch_Intake1', object: 'charge', customer: 'cus_Intake1', amount_refunded: 500 }),
  );
  expect(res.status).toBe(200);
  await settle(t);
  expect(
    await t.service.dataSource.query(
      "SELECT type, stripe_customer_id, data->>'amount_refunded' AS refunded FROM stripe_objects WHERE stripe_id = 'ch_Intake1'",
    ),
  ).toEqual([{ type: 'charge', stripe_customer_id: 'cus_Intake1', refunded: '500' }]);
});

test('a redelivered event whose job failed for good is re-armed and applies', async () => {
  const c = customer();
  const evt = event('customer.updated', c);
  const queue = t.service.eventQueues!.partitions[0];
  const [worker] = t.service.eventWorkers;
  // An earlier delivery ran out of attempts during an outage: fail it through a real worker run.
  await worker.pause();
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const outage = new Worker(
    queue.name,
    async () => {
      throw new Error('simulated outage');
    },
    { connection, prefix: t.prefix },
  );
  await queue.add(evt.type, { event: evt, source: 'webhook' }, { jobId: evt.id, attempts: 1 });
  await waitFor(async () => (await queue.getJobState(evt.id)) === 'failed', 10_000, 'the job to fail');
  await outage.close();
  await connection.quit();
  worker.resume();

  const res = await t.deliver(evt);
  expect(res.status).toBe(200);
  await settle(t);
  expect(await queue.getJobState(evt.id)).toBe('completed');
  expect(await rows(t, 'customers', 'stripe_id')).toContainEqual({ stripe_id: c.id });
});
