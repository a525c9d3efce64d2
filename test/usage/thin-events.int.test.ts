/**
 * Flow C, thin events: the stand-in refuses a customer's meter events after accepting their batch
 * and POSTs its error report to the service as Stripe's event destination would (thin payload,
 * signed with a `STRIPE_WEBHOOK_SECRET` secret). The service answers 200 once per notification id,
 * the worker fetches the full event and marks the ledger rows its samples name (either request
 * shape) as rejected with the code, counted by meter and code. Other thin types are acknowledged.
 */
import { billingMeter } from '../../stand-in/account-objects';
import { signWebhook } from '../../stand-in/events';
import { http } from '../../stand-in/http-client';
import { waitFor } from '../../src/lib/wait';
import { startTestService, TestService, WEBHOOK_SECRET } from '../support/service';
import { nowSeconds } from '../support/usage';

let t: TestService;
beforeAll(async () => {
  t = await startTestService({ STRIPE_WEBHOOK_SECRET: `whsec_other,${WEBHOOK_SECRET}` });
  t.standIn.put(billingMeter({ event_name: 'api_calls' }));
});
afterAll(() => t.stop());
beforeEach(() => t.standIn.setThinEventDestination({ url: `${t.url}/webhooks/stripe`, secret: WEBHOOK_SECRET }));

const rejections = async () =>
  (await t.service.dataSource.query(
    `SELECT j.identifier, j.code, r.stripe_customer_id AS customer FROM usage_rejections j
     LEFT JOIN usage_reports r ON r.identifier = j.identifier ORDER BY customer`,
  )) as Array<{ identifier: string; code: string; customer: string | null }>;

async function rejectedMetric(): Promise<string[]> {
  const text = (await http('GET', `${t.url}/metrics`)).text;
  return text.split('\n').filter((l) => l.startsWith('billing_usage_events_rejected_total{'));
}

async function countAndDrain(customers: string[], at = nowSeconds() - 60): Promise<void> {
  const events = customers.map((customer) => ({ customer, meter: 'api_calls', value: 5, timestamp: at }));
  expect((await t.v1('POST', '/usage', { events })).status).toBe(202);
  await t.service.usage!.drainNow();
}

test.each(['identifier', 'idempotency_key'] as const)(
  'a refused customer: its ledger row is marked rejected (samples in the %s shape)',
  async (shape) => {
    await t.service.dataSource.query('DELETE FROM usage_rejections');
    t.standIn.setMeterBehaviour({ sampleShape: shape });
    const refused = `cus_refused${shape.length}`;
    t.standIn.refuseMeterCustomer(refused);
    await countAndDrain([refused, 'cus_fine']);
    const rows = await waitFor(
      async () => ((await rejections()).length ? rejections() : undefined),
      10_000,
      'rejection',
    );
    expect(rows).toEqual([
      { identifier: expect.stringMatching(/^u_/), code: 'meter_event_customer_not_found', customer: refused },
    ]);
    expect(t.standIn.thinDeliveries.at(-1)?.status).toBe(200);
    expect(await rejectedMetric()).toContainEqual(
      expect.stringMatching(/meter="api_calls",code="meter_event_customer_not_found"\} [12]$/),
    );
  },
);

test('the same notification delivered again is enqueued and applied once', async () => {
  const before = await rejectedMetric();
  const [report] = t.standIn.thinEvents;
  const notification: Record<string, unknown> = { ...report };
  delete notification.data;
  const body = JSON.stringify(notification);
  const post = () =>
    http('POST', `${t.url}/webhooks/stripe`, {
      body,
      headers: { 'content-type': 'application/json', 'stripe-signature': signWebhook(body, 'whsec_other') },
    });
  expect((await post()).status).toBe(200);
  expect((await post()).status).toBe(200);
  expect(await t.service.queues.find((q) => q.name === 'stripe-thin-events')!.getJob(report.id)).toBeDefined();
  await new Promise((r) => setTimeout(r, 300));
  expect(await rejectedMetric()).toEqual(before);
});

test('other thin types are acknowledged without a fetch; bad notifications get 400', async () => {
  const fetchesBefore = t.standIn.countRequests({ method: 'GET', pathPrefix: '/v2/core/events/' });
  const send = (notification: Record<string, unknown>, secret = WEBHOOK_SECRET) => {
    const body = JSON.stringify({
      object: 'v2.core.event',
      livemode: false,
      created: new Date().toISOString(),
      ...notification,
    });
    return http('POST', `${t.url}/webhooks/stripe`, {
      body,
      headers: { 'content-type': 'application/json', 'stripe-signature': signWebhook(body, secret) },
    });
  };
  expect((await send({ id: 'evt_test_ping1', type: 'v2.core.event_destination.ping' })).status).toBe(200);
  expect((await send({ id: 'evt_test_ping2', type: 'v1.billing.meter.created' }, 'whsec_unknown')).status).toBe(400);
  expect((await send({ id: 'nope', type: 'v2.core.event_destination.ping' })).status).toBe(400);
  expect(
    (await send({ id: 'evt_test_ping3', type: 'v2.core.event_destination.ping', created: 'yesterday' })).status,
  ).toBe(400);
  const job = await waitFor(
    async () => {
      const found = await t.service.queues.find((q) => q.name === 'stripe-thin-events')!.getJob('evt_test_ping1');
      return (await found?.isCompleted()) ? found : undefined;
    },
    5000,
    'the ping job',
  );
  expect(job!.returnvalue).toEqual({ applied: false, type: 'v2.core.event_destination.ping' });
  expect(t.standIn.countRequests({ method: 'GET', pathPrefix: '/v2/core/events/' })).toBe(fetchesBefore);
});
