/**
 * Tests of the Stripe stand-in's Billing Meters through the real `stripe` SDK: v2 sessions and
 * the meter event stream, v1 meter events, duplicate identifiers and idempotency keys.
 */
import Stripe from 'stripe';
import { failure, useStandIn } from '../support/stand-in';

const { StripeInvalidRequestError, StripeAuthenticationError, TemporarySessionExpiredError } = Stripe.errors;
const f = useStandIn();

describe('meter events', () => {
  // stripe 23 does not export the stream params type by name.
  type StreamEvent = Parameters<Stripe['v2']['billing']['meterEventStream']['create']>[0]['events'][number];
  const streamEvent = (identifier: string, customer: string, value: number): StreamEvent => ({
    event_name: 'api_calls',
    identifier,
    timestamp: new Date().toISOString(),
    payload: { stripe_customer_id: customer, value: String(value) },
  });

  it('v2: session token authenticates the stream; duplicates are dropped; >100 is rejected', async () => {
    const session = await f.stripe.v2.billing.meterEventSession.create();
    expect(session.object).toBe('v2.billing.meter_event_session');
    expect(Date.parse(session.expires_at) - Date.parse(session.created)).toBe(15 * 60 * 1000);
    const auth = { apiKey: session.authentication_token };

    await f.stripe.v2.billing.meterEventStream.create(
      { events: [streamEvent('a', 'cus_1', 3), streamEvent('b', 'cus_1', 4)] },
      auth,
    );
    await f.stripe.v2.billing.meterEventStream.create(
      { events: [streamEvent('a', 'cus_1', 3), streamEvent('c', 'cus_2', 5)] },
      auth,
    );
    expect(f.standIn.meterEvents.map((e) => e.identifier)).toEqual(['a', 'b', 'c']);
    expect(f.standIn.droppedDuplicateMeterEvents).toBe(1);
    expect(f.standIn.meterTotals()).toEqual(
      new Map([
        ['cus_1|api_calls', 7],
        ['cus_2|api_calls', 5],
      ]),
    );
    const streamReq = f.standIn.requests.find((r) => r.path === '/v2/billing/meter_event_stream');
    expect(streamReq?.headers['content-type']).toBe('application/json');
    expect(streamReq?.headers.authorization).toBe(`Bearer ${session.authentication_token}`);

    const tooMany = Array.from({ length: 101 }, (_, i) => streamEvent(`x${i}`, 'cus_1', 1));
    expect(await failure(f.stripe.v2.billing.meterEventStream.create({ events: tooMany }, auth))).toBeInstanceOf(
      StripeInvalidRequestError,
    );
    expect(
      await failure(f.stripe.v2.billing.meterEventStream.create({ events: [streamEvent('d', 'cus_1', 1)] })),
    ).toBeInstanceOf(StripeAuthenticationError);
    f.standIn.expireMeterSessions();
    expect(
      await failure(f.stripe.v2.billing.meterEventStream.create({ events: [streamEvent('d', 'cus_1', 1)] }, auth)),
    ).toBeInstanceOf(TemporarySessionExpiredError);
    expect(f.standIn.meterEvents).toHaveLength(3);
  });

  it('v1: a repeated identifier is a 400 that must not be retried', async () => {
    const params = { event_name: 'api_calls', identifier: 'u-1', payload: { stripe_customer_id: 'cus_1', value: '2' } };
    const ev = await f.stripe.billing.meterEvents.create(params);
    expect(ev).toMatchObject({ object: 'billing.meter_event', identifier: 'u-1', payload: params.payload });
    const err = await failure(f.stripe.billing.meterEvents.create(params));
    expect(err).toBeInstanceOf(StripeInvalidRequestError);
    expect(err.statusCode).toBe(400);
    expect(err.message).toContain('already exists with identifier u-1');
    expect(err.headers?.['stripe-should-retry']).toBe('false');
    expect(f.standIn.meterTotals().get('cus_1|api_calls')).toBe(2);
  });

  it('v1: the same Idempotency-Key replays the first answer', async () => {
    const params = { event_name: 'api_calls', identifier: 'u-2', payload: { stripe_customer_id: 'cus_1', value: '1' } };
    const a = await f.stripe.billing.meterEvents.create(params, { idempotencyKey: 'k-1' });
    const b = await f.stripe.billing.meterEvents.create(params, { idempotencyKey: 'k-1' });
    expect(b).toEqual(a);
    expect(f.standIn.meterEvents).toHaveLength(1);
  });
});
