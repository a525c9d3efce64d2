/** GET /metrics: Prometheus text from the service's own registry; counters move with traffic. */
import { requestDrain } from '../../src/queues/usage-drain-queue';
import { http } from '../../stand-in/http-client';
import { waitFor } from '../../src/lib/wait';
import { startTestService, TestService } from '../support/service';
import { customer, event } from '../../stand-in/events';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t.stop();
});

async function scrape(): Promise<string> {
  const res = await http('GET', `${t.url}/metrics`);
  expect(res.status).toBe(200);
  expect(String(res.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text;
}

/** The value of one sample line, e.g. value(text, 'billing_webhook_requests_total{outcome="accepted"}'). */
function value(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

test('webhook outcomes, signature failures, enqueue latency, job durations and queue depths', async () => {
  const c = customer();
  t.standIn.put(c);
  expect((await t.deliver(event('customer.created', c))).status).toBe(200);
  expect((await t.deliver(event('customer.updated', c), { secret: 'whsec_wrong' })).status).toBe(400);
  // A malformed object fails the job permanently: a final failure.
  const later = Math.floor(Date.now() / 1000) + 5;
  expect((await t.deliver(event('customer.updated', { ...c, email: 42 }, { created: later }))).status).toBe(200);
  await waitFor(
    async () => {
      const text = await scrape();
      return (
        value(text, 'billing_job_failures_total{queue="stripe-events",final="true"}') >= 1 &&
        value(text, 'billing_job_duration_seconds_count{queue="stripe-events",status="completed"}') >= 1
      );
    },
    10_000,
    'job metrics',
  );
  const text = await scrape();
  expect(value(text, 'billing_webhook_requests_total{outcome="accepted"}')).toBe(2);
  expect(value(text, 'billing_webhook_requests_total{outcome="rejected"}')).toBe(1);
  expect(value(text, 'billing_webhook_signature_failures_total')).toBe(1);
  expect(value(text, 'billing_enqueue_duration_seconds_count{source="webhook"}')).toBe(2);
  expect(value(text, 'billing_queue_jobs{queue="stripe-events",state="failed"}')).toBe(1);
  expect(value(text, 'billing_queue_jobs{queue="stripe-events",state="completed"}')).toBe(1);
  expect(text).toContain('billing_queue_jobs{queue="maintenance",state="waiting"} 0');
  expect(text).toContain('billing_process_cpu_user_seconds_total');
});

test('413 bodies count as too_large', async () => {
  const before = value(await scrape(), 'billing_webhook_requests_total{outcome="too_large"}');
  const res = await http('POST', `${t.url}/webhooks/stripe`, {
    body: Buffer.alloc(1024 * 1024 + 1, 'a'),
    headers: { 'stripe-signature': 't=1,v1=x' },
  });
  expect(res.status).toBe(413);
  expect(value(await scrape(), 'billing_webhook_requests_total{outcome="too_large"}')).toBe(before + 1);
});

test('Stripe requests and 429s are counted with ids collapsed', async () => {
  const c = customer();
  t.standIn.put(c);
  t.standIn.setFaults({ rate: 1, statuses: [429], paths: /billing_portal/, times: 1 });
  expect((await t.v1('POST', `/customers/${c.id}/portal-sessions`, { return_url: 'https://example.com' })).status).toBe(
    502,
  );
  expect((await t.v1('POST', `/customers/${c.id}/portal-sessions`, { return_url: 'https://example.com' })).status).toBe(
    201,
  );
  t.standIn.clearFaults();
  const text = await scrape();
  expect(
    value(text, 'billing_stripe_requests_total{method="POST",path="/v1/billing_portal/sessions",status="429"}'),
  ).toBe(1);
  expect(
    value(text, 'billing_stripe_requests_total{method="POST",path="/v1/billing_portal/sessions",status="200"}'),
  ).toBe(1);
  expect(value(text, 'billing_stripe_rate_limited_total{path="/v1/billing_portal/sessions"}')).toBe(1);
});

test('a drain run by the worker moves the usage counters', async () => {
  const events = [
    { customer: 'cus_Metric1', meter: 'api_calls', value: 70 },
    { customer: 'cus_Metric2', meter: 'api_calls', value: 50 },
  ];
  expect((await t.v1('POST', '/usage', { events })).status).toBe(202);
  await requestDrain(t.service.usage!.queue, { reason: 'manual' }, 'metrics-test-drain');
  const text: string = await waitFor(
    async () => {
      const scraped = await scrape();
      return value(scraped, 'billing_usage_events_sent_total') >= 2 ? scraped : '';
    },
    15_000,
    'the drain to report',
  );
  expect(value(text, 'billing_usage_events_sent_total')).toBe(2);
  expect(value(text, 'billing_usage_value_sent_total')).toBe(120);
});

test('the access cache: live, its entries, and reads by result', async () => {
  const ask = () => t.v1('GET', '/customers/cus_MetricsCache/access');
  await waitFor(
    async () => value(await scrape(), 'billing_access_cache_live') === 1,
    5000,
    'the access cache to be live',
  );
  const before = await scrape();
  await ask();
  await ask();
  const after = await scrape();
  expect(
    value(after, 'billing_access_cache_reads_total{result="miss"}') -
      value(before, 'billing_access_cache_reads_total{result="miss"}'),
  ).toBe(1);
  expect(
    value(after, 'billing_access_cache_reads_total{result="hit"}') -
      value(before, 'billing_access_cache_reads_total{result="hit"}'),
  ).toBe(1);
  expect(value(after, 'billing_access_cache_entries')).toBeGreaterThanOrEqual(1);
});

test('a customer id without a digit never becomes a label: Stripe paths are labelled by route template', async () => {
  const c = customer({ id: 'cus_NoDigitsHereAb' });
  t.standIn.put(c);
  // Two updates in the same second: the tie is resolved by reading the customer from Stripe.
  const created = Math.floor(Date.now() / 1000);
  for (const name of ['First', 'Second'])
    expect((await t.deliver(event('customer.updated', { ...c, name }, { created }))).status).toBe(200);
  const text: string = await waitFor(
    async () => {
      const scraped = await scrape();
      return /billing_stripe_requests_total\{method="GET",path="\/v1\/customers\//.test(scraped) ? scraped : '';
    },
    10_000,
    'the tie refetch to be counted',
  );
  expect(text).not.toContain('NoDigitsHere');
  expect(text).toContain('billing_stripe_requests_total{method="GET",path="/v1/customers/:id",status="200"}');
});
