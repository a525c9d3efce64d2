/**
 * The stand-in's meter event summaries through the real `stripe` SDK: Stripe's required parameters,
 * alignment rules (minute; hour for `value_grouping_window=hour`; 00:00 UTC for `day`), start
 * inclusive and end exclusive, `limit` ≤ 100, `starting_after` paging newest first, and the lag.
 */
import Stripe from 'stripe';
import { billingMeter } from '../../stand-in/account-objects';
import { failure, useStandIn } from '../support/stand-in';

const f = useStandIn();
const HOUR = 3600;
const base = Math.floor(Date.now() / 1000 / 86_400) * 86_400 - 2 * 86_400; // 00:00 UTC two days ago

type StreamEvent = Parameters<Stripe['v2']['billing']['meterEventStream']['create']>[0]['events'][number];
async function send(events: Array<[identifier: string, customer: string, value: number, at: number]>) {
  const session = await f.stripe.v2.billing.meterEventSession.create();
  const body: StreamEvent[] = events.map(([identifier, customer, value, at]) => ({
    event_name: 'api_calls',
    identifier,
    timestamp: new Date(at * 1000).toISOString(),
    payload: { stripe_customer_id: customer, value: String(value) },
  }));
  await f.stripe.v2.billing.meterEventStream.create({ events: body }, { apiKey: session.authentication_token });
}

let meter: Stripe.Billing.Meter;
beforeEach(() => {
  meter = billingMeter({ event_name: 'api_calls' });
  f.standIn.put(meter);
});

it('hourly windows: start inclusive, end exclusive, newest first, empty hours left out', async () => {
  await send([
    ['a', 'cus_1', 2, base],
    ['b', 'cus_1', 3, base + HOUR - 1],
    ['c', 'cus_1', 5, base + 3 * HOUR],
    ['d', 'cus_1', 7, base + 4 * HOUR], // at end_time: not counted
    ['e', 'cus_2', 11, base + HOUR],
  ]);
  const page = await f.stripe.billing.meters.listEventSummaries(meter.id, {
    customer: 'cus_1',
    start_time: base,
    end_time: base + 4 * HOUR,
    value_grouping_window: 'hour',
  });
  expect(page.data.map((s) => [s.start_time - base, s.end_time - base, s.aggregated_value])).toEqual([
    [3 * HOUR, 4 * HOUR, 5],
    [0, HOUR, 5],
  ]);
  expect(page.data[0]).toMatchObject({ object: 'billing.meter_event_summary', meter: meter.id });
  const whole = await f.stripe.billing.meters.listEventSummaries(meter.id, {
    customer: 'cus_1',
    start_time: base,
    end_time: base + 5 * HOUR,
  });
  expect(whole.data.map((s) => s.aggregated_value)).toEqual([17]);
});

it('pages with starting_after, 100 at most per page', async () => {
  await send(
    Array.from({ length: 30 }, (_, i): [string, string, number, number] => [`p${i}`, 'cus_1', i + 1, base + i * HOUR]),
  );
  const params = {
    customer: 'cus_1',
    start_time: base,
    end_time: base + 48 * HOUR,
    value_grouping_window: 'hour' as const,
  };
  const first = await f.stripe.billing.meters.listEventSummaries(meter.id, { ...params, limit: 7 });
  expect(first.has_more).toBe(true);
  expect(first.data).toHaveLength(7);
  const all = await f.stripe.billing.meters
    .listEventSummaries(meter.id, { ...params, limit: 7 })
    .autoPagingToArray({ limit: 1000 });
  expect(all).toHaveLength(30);
  expect(all.reduce((s, x) => s + x.aggregated_value, 0)).toBe((30 * 31) / 2);
  expect(all[0].start_time).toBe(base + 29 * HOUR);
  expect(f.standIn.countRequests({ method: 'GET', pathPrefix: `/v1/billing/meters/${meter.id}/event_summaries` })).toBe(
    6,
  );
  const tooMany = await failure(f.stripe.billing.meters.listEventSummaries(meter.id, { ...params, limit: 101 }));
  expect(tooMany.param).toBe('limit');
});

it.each([
  [{ start_time: base + 60, end_time: base + HOUR, value_grouping_window: 'hour' }, 'start_time'],
  [{ start_time: base + 30, end_time: base + HOUR }, 'start_time'],
  [{ start_time: base, end_time: base + HOUR, value_grouping_window: 'day' }, 'end_time'],
  [{ start_time: base + HOUR, end_time: base }, 'start_time'],
  [{ end_time: base + HOUR }, 'start_time'],
])('refuses %o (param %s)', async (params, param) => {
  const err = await failure(
    f.stripe.billing.meters.listEventSummaries(meter.id, {
      customer: 'cus_1',
      ...params,
    } as Stripe.Billing.MeterListEventSummariesParams),
  );
  expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  expect(err.param).toBe(param);
});

it('needs a customer and a known meter', async () => {
  const noCustomer = await failure(
    f.stripe.billing.meters.listEventSummaries(meter.id, {
      start_time: base,
      end_time: base + HOUR,
    } as Stripe.Billing.MeterListEventSummariesParams),
  );
  expect(noCustomer.param).toBe('customer');
  const unknown = await failure(
    f.stripe.billing.meters.listEventSummaries('mtr_nope', {
      customer: 'cus_1',
      start_time: base,
      end_time: base + HOUR,
    }),
  );
  expect(unknown.statusCode).toBe(404);
});

it('summaries lag behind received events', async () => {
  f.standIn.setMeterBehaviour({ summaryLagMs: 60_000 });
  await send([['l', 'cus_1', 4, base]]);
  const params = { customer: 'cus_1', start_time: base, end_time: base + HOUR };
  expect((await f.stripe.billing.meters.listEventSummaries(meter.id, params)).data[0].aggregated_value).toBe(0);
  f.standIn.setMeterBehaviour({ summaryLagMs: 0 });
  expect((await f.stripe.billing.meters.listEventSummaries(meter.id, params)).data[0].aggregated_value).toBe(4);
});
