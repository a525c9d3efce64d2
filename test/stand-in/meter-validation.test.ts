/**
 * The stand-in's asynchronous meter validation through the real `stripe` SDK: the stream answers a
 * batch at once; refused events come back later as thin events, POSTed signed to a destination
 * (parsed with stripe-node's `parseEventNotification`) and fetched in full (`fetchEvent`) with
 * capped samples in either request shape; lost events vanish silently; forgotten identifiers count again.
 */
import Stripe from 'stripe';
import { billingMeter } from '../../stand-in/account-objects';
import { waitFor } from '../../src/lib/wait';
import { Receiver } from '../support/receiver';
import { useStandIn } from '../support/stand-in';

const f = useStandIn();
const SECRET = 'whsec_thin_test';
let receiver: Receiver;
beforeAll(async () => (receiver = await Receiver.start()));
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.deliveries.length = 0;
  f.standIn.setThinEventDestination({ url: receiver.url, secret: SECRET });
});

type StreamEvent = Parameters<Stripe['v2']['billing']['meterEventStream']['create']>[0]['events'][number];
const ev = (identifier: string, customer: string, value: string | number, eventName = 'api_calls', at = Date.now()) =>
  ({
    event_name: eventName,
    identifier,
    timestamp: new Date(at).toISOString(),
    payload: { stripe_customer_id: customer, value: String(value) },
  }) as StreamEvent;

async function send(events: StreamEvent[]): Promise<void> {
  const session = await f.stripe.v2.billing.meterEventSession.create();
  await f.stripe.v2.billing.meterEventStream.create({ events }, { apiKey: session.authentication_token });
}

/** The notifications the destination received, verified and parsed by stripe-node. */
async function notifications(count: number) {
  await waitFor(async () => receiver.deliveries.length >= count, 5000, 'thin notifications');
  return receiver.deliveries.map((d) =>
    f.stripe.parseEventNotification(d.body, String(d.headers['stripe-signature']), SECRET),
  );
}

it('a refused customer: the batch is answered, its events are reported later as a signed thin event', async () => {
  const meter = billingMeter({ event_name: 'api_calls' });
  f.standIn.put(meter);
  f.standIn.refuseMeterCustomer('cus_nomap');
  f.standIn.setMeterBehaviour({ sampleLimit: 2 });
  await send([ev('a', 'cus_ok', 3), ev('b', 'cus_nomap', 4), ev('c', 'cus_nomap', 5), ev('d', 'cus_nomap', 6)]);
  expect(f.standIn.meterTotals()).toEqual(new Map([['cus_ok|api_calls', 3]]));

  const [notification] = await notifications(1);
  expect(notification).toMatchObject({
    object: 'v2.core.event',
    type: 'v1.billing.meter.error_report_triggered',
    related_object: { id: meter.id, type: 'billing.meter' },
  });
  expect(JSON.parse(receiver.deliveries[0].body)).not.toHaveProperty('data');
  const full = (await notification.fetchEvent()) as Stripe.Events.V1BillingMeterErrorReportTriggeredEvent;
  expect(full.data.reason.error_count).toBe(3);
  const [type] = full.data.reason.error_types;
  expect(type).toMatchObject({ code: 'meter_event_customer_not_found', error_count: 3 });
  // Samples only: three errors, two samples.
  expect(type.sample_errors.map((s) => s.request.identifier)).toEqual(['b', 'c']);
});

it('the older sample shape names the identifier as request.idempotency_key', async () => {
  f.standIn.setMeterBehaviour({ sampleShape: 'idempotency_key' });
  await send([ev('bad', 'cus_1', 'ten')]);
  const [notification] = await notifications(1);
  const full = (await notification.fetchEvent()) as Stripe.Events.V1BillingMeterErrorReportTriggeredEvent;
  const sample = full.data.reason.error_types[0];
  expect(sample.code).toBe('meter_event_invalid_value');
  // The older shape is not in stripe-node's types: read it as Stripe sends it.
  expect(sample.sample_errors[0].request as unknown).toEqual({
    id: expect.stringMatching(/^req_/),
    idempotency_key: 'bad',
  });
});

it('no meter, an archived meter and timestamps out of range', async () => {
  f.standIn.setMeterBehaviour({ requireMeters: true });
  f.standIn.put(billingMeter({ event_name: 'old_meter', status: 'inactive' }));
  const day = 86_400_000;
  await send([
    ev('n1', 'cus_1', 1, 'nothing_here'),
    ev('o1', 'cus_1', 1, 'old_meter'),
    ev('p1', 'cus_1', 1, 'old_meter', Date.now() - 36 * day),
  ]);
  f.standIn.put(billingMeter({ event_name: 'fine' }));
  await send([
    ev('p2', 'cus_1', 1, 'fine', Date.now() - 36 * day),
    ev('f1', 'cus_1', 1, 'fine', Date.now() + 3600_000),
  ]);
  const parsed = await notifications(3);
  const codes = await Promise.all(
    parsed.map(async (n) => {
      const full = (await n.fetchEvent()) as unknown as {
        type: string;
        data: { reason: { error_types: Array<{ code: string }> } };
      };
      return `${full.type}:${full.data.reason.error_types.map((t) => t.code).join(',')}`;
    }),
  );
  expect(codes.sort()).toEqual([
    'v1.billing.meter.error_report_triggered:archived_meter',
    'v1.billing.meter.error_report_triggered:timestamp_too_far_in_past,timestamp_in_future',
    'v1.billing.meter.no_meter_found:no_meter',
  ]);
  expect(f.standIn.meterEvents).toHaveLength(0);
});

it('an unknown thin event id is a 404; a delivery refused by the destination is retried', async () => {
  const err = await f.stripe.v2.core.events.retrieve('evt_test_missing').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Stripe.errors.StripeError);
  expect((err as Stripe.errors.StripeError).statusCode).toBe(404);
  receiver.down = true;
  f.standIn.refuseMeterCustomer('cus_x');
  await send([ev('x1', 'cus_x', 1)]);
  await waitFor(async () => receiver.deliveries.length >= 2, 5000, 'a retry');
  receiver.down = false;
  await waitFor(async () => receiver.accepted().length === 1, 5000, 'the delivery');
  expect(f.standIn.thinDeliveries.map((d) => d.status)).toEqual([...receiver.deliveries.map((d) => d.status)]);
});

it('lost events are never counted nor reported; forgotten identifiers count again', async () => {
  f.standIn.setMeterLoss(0.5, 7);
  await send(Array.from({ length: 100 }, (_, i) => ev(`l${i}`, 'cus_1', 1)));
  const lost = f.standIn.lostMeterEvents.length;
  expect(lost).toBeGreaterThan(20);
  expect(lost).toBeLessThan(80);
  expect(f.standIn.meterTotals().get('cus_1|api_calls')).toBe(100 - lost);
  f.standIn.setMeterLoss(0);
  await send([ev('l0', 'cus_1', 1)]);
  expect(f.standIn.droppedDuplicateMeterEvents).toBe(1);
  f.standIn.forgetMeterIdentifiers();
  await send([ev('l0', 'cus_1', 1)]);
  expect(f.standIn.meterTotals().get('cus_1|api_calls')).toBe(101 - lost);
  expect(f.standIn.thinEvents).toHaveLength(0);
});
