/** POST /webhooks/stripe: what is accepted, what is refused with which status, and that refusals enqueue nothing. */
import { Worker } from 'bullmq';
import { STRIPE_EVENT_ATTEMPTS } from '../../src/queues/job-options';
import { STRIPE_EVENTS_QUEUE } from '../../src/queues/names';
import { Redis } from 'ioredis';
import { http, waitFor } from '../../stand-in/http-client';
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
  const counts = await t.service.queue!.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe('refused deliveries change nothing', () => {
  const body = JSON.stringify(event('customer.created', customer()));
  const now = Math.floor(Date.now() / 1000);

  test.each([
    ['no signature', 400, () => post(body, {})],
    ['a signature made with another secret', 400, () => post(body, { 'stripe-signature': signWebhook(body, 'whsec_wrong') })],
    ['a stale timestamp (301 s old)', 400, () => post(body, { 'stripe-signature': signWebhook(body, WEBHOOK_SECRET, now - 301) })],
    ['a tampered body', 400, () => post(body.replace('customer.created', 'customer.deleted'), { 'stripe-signature': signWebhook(body, WEBHOOK_SECRET) })],
    ['signed malformed JSON', 400, () => post('{"id": "evt_1",', { 'stripe-signature': signWebhook('{"id": "evt_1",', WEBHOOK_SECRET) })],
    ['a signed body that is not an event', 400, () => {
      const notEvent = JSON.stringify(customer());
      return post(notEvent, { 'stripe-signature': signWebhook(notEvent, WEBHOOK_SECRET) });
    }],
    ['a body over 1 MiB', 413, () => {
      const huge = JSON.stringify({ ...event('customer.created', customer()), padding: 'x'.repeat(1024 * 1024) });
      return post(huge, { 'stripe-signature': signWebhook(huge, WEBHOOK_SECRET) });
    }],
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
  const job = await t.service.queue!.getJob(evt.id);
  expect(job?.opts).toMatchObject({ attempts: STRIPE_EVENT_ATTEMPTS, backoff: { type: 'capped-exponential' }, removeOnFail: { age: 30 * 24 * 3600 } });
  // Completed jobs follow the worker's rule (COMPLETED_JOB_RETENTION_SECONDS), not one stored per job.
  expect(job?.opts.removeOnComplete).toBeUndefined();
  await settle(t);
});

test('a signed event of a type we do not handle gets 200 and changes no row', async () => {
  const before = await rows(t, 'processed_events');
  const res = await t.deliver(event('charge.refunded', { id: 'ch_1', object: 'charge' }));
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ received: true });
  await settle(t);
  expect(await rows(t, 'processed_events')).toEqual(before);
});

test('a redelivered event whose job failed for good is re-armed and applies', async () => {
  const c = customer();
  const evt = event('customer.updated', c);
  const queue = t.service.queue!;
  // An earlier delivery ran out of attempts during an outage: fail it through a real worker run.
  await t.service.worker!.pause();
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const outage = new Worker(STRIPE_EVENTS_QUEUE, async () => { throw new Error('simulated outage'); }, { connection, prefix: t.prefix });
  await queue.add(evt.type, { event: evt, source: 'webhook' }, { jobId: evt.id, attempts: 1 });
  await waitFor(async () => (await queue.getJobState(evt.id)) === 'failed', 10_000, 'the job to fail');
  await outage.close();
  await connection.quit();
  t.service.worker!.resume();

  const res = await t.deliver(evt);
  expect(res.status).toBe(200);
  await settle(t);
  expect(await queue.getJobState(evt.id)).toBe('completed');
  expect(await rows(t, 'customers', 'stripe_id')).toContainEqual({ stripe_id: c.id });
});
