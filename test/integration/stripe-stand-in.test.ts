/**
 * Tests of the Stripe stand-in itself, driven only through the real `stripe` SDK (no mocks):
 * retrieve/list/pagination, events filters, portal sessions, v1 and v2 meter events, and faults.
 */
import Stripe from 'stripe';
import { StripeStandIn } from '../../stand-in/index';
import * as build from '../../stand-in/events';

const { StripeInvalidRequestError, StripeRateLimitError, StripeAPIError, StripeAuthenticationError, TemporarySessionExpiredError } =
  Stripe.errors;

let standIn: StripeStandIn;
let stripe: Stripe;

beforeAll(async () => {
  standIn = await StripeStandIn.start();
  stripe = new Stripe('sk_test_standin', { host: '127.0.0.1', port: standIn.port, protocol: 'http', maxNetworkRetries: 0 });
});

afterAll(async () => {
  await standIn.close();
});

beforeEach(() => standIn.reset());

afterEach(() => expect(standIn.unexpected).toEqual([]));

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p;
  } catch (e) {
    return e as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
}

describe('retrieve', () => {
  it('returns stored objects of every mirrored type', async () => {
    const cus = build.customer();
    const prod = build.product();
    const pr = build.price({ product: prod.id, meter: 'mtr_123' });
    const sub = build.subscription({ customer: cus.id, items: [{ price: pr, current_period_end: 2_000_000_000 }] });
    const inv = build.invoice({ customer: cus.id, subscription: sub.id, status: 'paid', amount_due: 1500 });
    const cs = build.checkoutSession({ customer: cus.id, subscription: sub.id, status: 'complete' });
    for (const o of [cus, prod, pr, sub, inv, cs]) standIn.put(o);

    expect((await stripe.customers.retrieve(cus.id)).id).toBe(cus.id);
    expect((await stripe.products.retrieve(prod.id)).name).toBe(prod.name);
    const gotPrice = await stripe.prices.retrieve(pr.id, { expand: ['product'] });
    expect(gotPrice.recurring).toMatchObject({ usage_type: 'metered', meter: 'mtr_123' });
    const gotSub = await stripe.subscriptions.retrieve(sub.id);
    expect(gotSub.items.data[0]).toMatchObject({ current_period_end: 2_000_000_000, subscription: sub.id });
    expect(gotSub.items.data[0].quantity).toBeUndefined();
    const gotInv = await stripe.invoices.retrieve(inv.id);
    expect(gotInv.parent?.subscription_details?.subscription).toBe(sub.id);
    expect(gotInv).not.toHaveProperty('subscription');
    expect(gotInv).toMatchObject({ amount_paid: 1500, amount_remaining: 0 });
    expect((await stripe.checkout.sessions.retrieve(cs.id)).payment_status).toBe('paid');
  });

  it('answers an unknown id with 404 resource_missing', async () => {
    const err = await failure(stripe.customers.retrieve('cus_missing'));
    expect(err).toBeInstanceOf(StripeInvalidRequestError);
    expect(err).toMatchObject({ code: 'resource_missing', statusCode: 404, message: "No such customer: 'cus_missing'" });
    const cus = build.customer();
    standIn.put(cus);
    expect(await failure(stripe.subscriptions.retrieve(cus.id))).toMatchObject({ code: 'resource_missing' });
  });

  it('serves deleted customers as tombstones and removed objects as 404', async () => {
    const cus = build.customer();
    const sub = build.subscription({ customer: cus.id });
    standIn.put(cus);
    standIn.put(sub);
    standIn.markDeleted(cus.id);
    standIn.markDeleted(sub.id);
    expect(await stripe.customers.retrieve(cus.id)).toEqual({ id: cus.id, object: 'customer', deleted: true });
    expect((await stripe.customers.list()).data).toEqual([]);
    expect(await failure(stripe.subscriptions.retrieve(sub.id))).toMatchObject({ statusCode: 404 });
    standIn.remove(cus.id);
    expect(await failure(stripe.customers.retrieve(cus.id))).toMatchObject({ code: 'resource_missing' });
  });
});

describe('lists', () => {
  it('paginates newest first and autoPagingEach walks every object once', async () => {
    const base = 1_700_000_000;
    for (let i = 0; i < 250; i++) standIn.put(build.customer({ id: `cus_${String(i).padStart(4, '0')}`, created: base + Math.floor(i / 3) }));
    const first = await stripe.customers.list();
    expect(first.data).toHaveLength(10);
    expect(first.has_more).toBe(true);
    expect(first.url).toBe('/v1/customers');
    expect(first.data[0].id).toBe('cus_0249');

    standIn.resetRequests();
    const seen: string[] = [];
    await stripe.customers.list({ limit: 100 }).autoPagingEach((c) => {
      seen.push(c.id);
    });
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen[0]).toBe('cus_0249');
    expect(seen[249]).toBe('cus_0000');
    expect(standIn.countRequests({ method: 'GET', pathPrefix: '/v1/customers' })).toBe(3);
    expect(await failure(stripe.customers.list({ limit: 101 }))).toBeInstanceOf(StripeInvalidRequestError);
  });

  it('filters subscriptions like Stripe: canceled only with status=all', async () => {
    const cus = build.customer();
    standIn.put(build.subscription({ customer: cus.id, status: 'active' }));
    standIn.put(build.subscription({ customer: cus.id, status: 'canceled' }));
    standIn.put(build.subscription({ status: 'past_due' }));
    expect((await stripe.subscriptions.list()).data).toHaveLength(2);
    expect((await stripe.subscriptions.list({ status: 'all' })).data).toHaveLength(3);
    expect((await stripe.subscriptions.list({ status: 'all', customer: cus.id })).data).toHaveLength(2);
    expect((await stripe.subscriptions.list({ status: 'canceled' })).data.map((s) => s.status)).toEqual(['canceled']);
  });

  it('lists events with created, type, types[] and delivery_success filters', async () => {
    const cus = build.customer();
    standIn.addEvent(build.event('customer.created', cus, { id: 'evt_1', created: 100 }));
    standIn.addEvent({ ...build.event('invoice.paid', build.invoice(), { id: 'evt_2', created: 200 }), _undelivered: true });
    standIn.addEvent(build.event('invoice.payment_failed', build.invoice(), { id: 'evt_3', created: 300 }), { delivered: false });
    const ids = async (p: Stripe.EventListParams): Promise<string[]> => (await stripe.events.list(p)).data.map((e) => e.id);
    expect(await ids({})).toEqual(['evt_3', 'evt_2', 'evt_1']);
    expect(await ids({ created: { gte: 200 } })).toEqual(['evt_3', 'evt_2']);
    expect(await ids({ created: { gt: 200 } })).toEqual(['evt_3']);
    expect(await ids({ type: 'invoice.*' })).toEqual(['evt_3', 'evt_2']);
    expect(await ids({ types: ['customer.created', 'invoice.paid'] })).toEqual(['evt_2', 'evt_1']);
    expect(await ids({ delivery_success: false })).toEqual(['evt_3', 'evt_2']);
    const evt = await stripe.events.retrieve('evt_2');
    expect(evt).not.toHaveProperty('_undelivered');
    expect(evt.api_version).toBe('2026-10-28.endive');
  });
});

describe('customer portal', () => {
  it('creates a session, records the params and refuses unknown customers', async () => {
    const cus = build.customer();
    standIn.put(cus);
    const session = await stripe.billingPortal.sessions.create({
      customer: cus.id,
      return_url: 'https://app.example.com/account',
      flow_data: { type: 'payment_method_update' },
    });
    expect(session).toMatchObject({ object: 'billing_portal.session', customer: cus.id, return_url: 'https://app.example.com/account' });
    expect(session.flow?.type).toBe('payment_method_update');
    expect(session.url.startsWith(`${standIn.url}/p/session/bps_`)).toBe(true);
    expect(standIn.portalSessions).toEqual([{ customer: cus.id, return_url: 'https://app.example.com/account', flow_data: { type: 'payment_method_update' } }]);
    expect((await fetch(session.url)).status).toBe(200);

    const err = await failure(stripe.billingPortal.sessions.create({ customer: 'cus_nobody' }));
    expect(err).toBeInstanceOf(StripeInvalidRequestError);
    expect(err).toMatchObject({ code: 'resource_missing', param: 'customer', message: "No such customer: 'cus_nobody'" });
  });
});

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
    const session = await stripe.v2.billing.meterEventSession.create();
    expect(session.object).toBe('v2.billing.meter_event_session');
    expect(Date.parse(session.expires_at) - Date.parse(session.created)).toBe(15 * 60 * 1000);
    const auth = { apiKey: session.authentication_token };

    await stripe.v2.billing.meterEventStream.create({ events: [streamEvent('a', 'cus_1', 3), streamEvent('b', 'cus_1', 4)] }, auth);
    await stripe.v2.billing.meterEventStream.create({ events: [streamEvent('a', 'cus_1', 3), streamEvent('c', 'cus_2', 5)] }, auth);
    expect(standIn.meterEvents.map((e) => e.identifier)).toEqual(['a', 'b', 'c']);
    expect(standIn.droppedDuplicateMeterEvents).toBe(1);
    expect(standIn.meterTotals()).toEqual(new Map([['cus_1|api_calls', 7], ['cus_2|api_calls', 5]]));
    const streamReq = standIn.requests.find((r) => r.path === '/v2/billing/meter_event_stream');
    expect(streamReq?.headers['content-type']).toBe('application/json');
    expect(streamReq?.headers.authorization).toBe(`Bearer ${session.authentication_token}`);

    const tooMany = Array.from({ length: 101 }, (_, i) => streamEvent(`x${i}`, 'cus_1', 1));
    expect(await failure(stripe.v2.billing.meterEventStream.create({ events: tooMany }, auth))).toBeInstanceOf(StripeInvalidRequestError);
    expect(await failure(stripe.v2.billing.meterEventStream.create({ events: [streamEvent('d', 'cus_1', 1)] }))).toBeInstanceOf(
      StripeAuthenticationError,
    );
    standIn.expireMeterSessions();
    expect(await failure(stripe.v2.billing.meterEventStream.create({ events: [streamEvent('d', 'cus_1', 1)] }, auth))).toBeInstanceOf(
      TemporarySessionExpiredError,
    );
    expect(standIn.meterEvents).toHaveLength(3);
  });

  it('v1: a repeated identifier is a 400 that must not be retried', async () => {
    const params = { event_name: 'api_calls', identifier: 'u-1', payload: { stripe_customer_id: 'cus_1', value: '2' } };
    const ev = await stripe.billing.meterEvents.create(params);
    expect(ev).toMatchObject({ object: 'billing.meter_event', identifier: 'u-1', payload: params.payload });
    const err = await failure(stripe.billing.meterEvents.create(params));
    expect(err).toBeInstanceOf(StripeInvalidRequestError);
    expect(err.statusCode).toBe(400);
    expect(err.message).toContain('already exists with identifier u-1');
    expect(err.headers?.['stripe-should-retry']).toBe('false');
    expect(standIn.meterTotals().get('cus_1|api_calls')).toBe(2);
  });

  it('v1: the same Idempotency-Key replays the first answer', async () => {
    const params = { event_name: 'api_calls', identifier: 'u-2', payload: { stripe_customer_id: 'cus_1', value: '1' } };
    const a = await stripe.billing.meterEvents.create(params, { idempotencyKey: 'k-1' });
    const b = await stripe.billing.meterEvents.create(params, { idempotencyKey: 'k-1' });
    expect(b).toEqual(a);
    expect(standIn.meterEvents).toHaveLength(1);
  });
});

describe('faults', () => {
  it('a 429 raises StripeRateLimitError and a 500 StripeAPIError', async () => {
    standIn.put(build.customer({ id: 'cus_f' }));
    standIn.setFaults({ rate: 1, statuses: [429], times: 1 });
    expect(await failure(stripe.customers.retrieve('cus_f'))).toBeInstanceOf(StripeRateLimitError);
    expect((await stripe.customers.retrieve('cus_f')).id).toBe('cus_f');
    standIn.setFaults({ rate: 1, statuses: [500], paths: /^\/v1\/customers/ });
    expect(await failure(stripe.customers.retrieve('cus_f'))).toBeInstanceOf(StripeAPIError);
    expect(standIn.requests.filter((r) => r.faulted).map((r) => r.status)).toEqual([429, 500]);

    const session = await stripe.v2.billing.meterEventSession.create();
    standIn.setFaults({ rate: 1, statuses: [429], paths: /meter_event_stream/ });
    const events = [{ event_name: 'api_calls', payload: { stripe_customer_id: 'cus_1', value: '1' } }];
    const err = await failure(stripe.v2.billing.meterEventStream.create({ events }, { apiKey: session.authentication_token }));
    expect(err).toBeInstanceOf(StripeRateLimitError);
    expect(standIn.meterEvents).toHaveLength(0);
  });

  it('status 0 drops the connection; the SDK retries a closed connection once even with retries off', async () => {
    standIn.put(build.customer({ id: 'cus_drop' }));
    standIn.setFaults({ rate: 1, statuses: [0], times: 1 });
    expect((await stripe.customers.retrieve('cus_drop')).id).toBe('cus_drop');
    expect(standIn.countRequests({ method: 'GET', pathPrefix: '/v1/customers/cus_drop' })).toBe(2);
    standIn.setFaults({ rate: 1, statuses: [0] });
    expect((await failure(stripe.customers.retrieve('cus_drop'))).type).toBe('StripeConnectionError');
  });

  it('a seeded fault rate is deterministic and faulted requests change nothing', async () => {
    const run = async (): Promise<boolean[]> => {
      standIn.reset();
      standIn.setFaults({ rate: 0.5, statuses: [500, 429], seed: 42, paths: /meter_events/ });
      const outcomes: boolean[] = [];
      for (let i = 0; i < 30; i++) {
        const ok = await stripe.billing.meterEvents
          .create({ event_name: 'api_calls', identifier: `s-${i}`, payload: { stripe_customer_id: 'cus_1', value: '1' } })
          .then(() => true, () => false);
        outcomes.push(ok);
      }
      return outcomes;
    };
    const first = await run();
    const succeeded = first.filter(Boolean).length;
    expect(succeeded).toBeGreaterThan(0);
    expect(succeeded).toBeLessThan(30);
    expect(standIn.faultsInjected).toBe(30 - succeeded);
    expect(standIn.meterEvents.map((e) => e.identifier)).toEqual(first.flatMap((ok, i) => (ok ? [`s-${i}`] : [])));
    expect(standIn.meterTotals().get('cus_1|api_calls')).toBe(succeeded);
    expect(await run()).toEqual(first);
  });

  it('records unknown routes as unexpected and applies latency', async () => {
    await failure(stripe.accounts.list());
    expect(standIn.unexpected).toEqual(['GET /v1/accounts']);
    standIn.resetRequests();
    standIn.put(build.product({ id: 'prod_slow' }));
    standIn.setLatency(60);
    const t0 = Date.now();
    await stripe.products.retrieve('prod_slow');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });
});

describe('options', () => {
  it('checks the API key when given one and honours the meter session lifetime', async () => {
    const other = await StripeStandIn.start({ apiKey: 'sk_test_right', meterSessionTtlMs: 50 });
    try {
      const opts = { host: '127.0.0.1', port: other.port, protocol: 'http' as const, maxNetworkRetries: 0 };
      const wrong = new Stripe('sk_test_wrong', opts);
      expect(await failure(wrong.customers.list())).toBeInstanceOf(StripeAuthenticationError);
      const right = new Stripe('sk_test_right', opts);
      const session = await right.v2.billing.meterEventSession.create();
      await new Promise((r) => setTimeout(r, 80));
      const events = [{ event_name: 'api_calls', payload: { stripe_customer_id: 'cus_1', value: '1' } }];
      const err = await failure(right.v2.billing.meterEventStream.create({ events }, { apiKey: session.authentication_token }));
      expect(err).toBeInstanceOf(TemporarySessionExpiredError);
      expect(err.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('webhook signing', () => {
  it('produces a header constructEvent accepts', () => {
    const { body, signature } = build.signedDelivery(build.event('customer.created', build.customer()), 'whsec_test');
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(stripe.webhooks.constructEvent(body, signature, 'whsec_test').type).toBe('customer.created');
  });
});
