/**
 * Tests of the Stripe stand-in itself, driven only through the real `stripe` SDK (no mocks):
 * retrieve, lists and pagination, events filters, portal sessions, webhook signing.
 */
import Stripe from 'stripe';
import * as build from '../../stand-in/events';
import { failure, useStandIn } from '../support/stand-in';

const { StripeInvalidRequestError } = Stripe.errors;
const f = useStandIn();

describe('retrieve', () => {
  it('returns stored objects of every mirrored type', async () => {
    const cus = build.customer();
    const prod = build.product();
    const pr = build.price({ product: prod.id, meter: 'mtr_123' });
    const sub = build.subscription({ customer: cus.id, items: [{ price: pr, current_period_end: 2_000_000_000 }] });
    const inv = build.invoice({ customer: cus.id, subscription: sub.id, status: 'paid', amount_due: 1500 });
    const cs = build.checkoutSession({ customer: cus.id, subscription: sub.id, status: 'complete' });
    for (const o of [cus, prod, pr, sub, inv, cs]) f.standIn.put(o);

    expect((await f.stripe.customers.retrieve(cus.id)).id).toBe(cus.id);
    expect((await f.stripe.products.retrieve(prod.id)).name).toBe(prod.name);
    const gotPrice = await f.stripe.prices.retrieve(pr.id, { expand: ['product'] });
    expect(gotPrice.recurring).toMatchObject({ usage_type: 'metered', meter: 'mtr_123' });
    const gotSub = await f.stripe.subscriptions.retrieve(sub.id);
    expect(gotSub.items.data[0]).toMatchObject({ current_period_end: 2_000_000_000, subscription: sub.id });
    expect(gotSub.items.data[0].quantity).toBeUndefined();
    const gotInv = await f.stripe.invoices.retrieve(inv.id);
    expect(gotInv.parent?.subscription_details?.subscription).toBe(sub.id);
    expect(gotInv).not.toHaveProperty('subscription');
    expect(gotInv).toMatchObject({ amount_paid: 1500, amount_remaining: 0 });
    expect((await f.stripe.checkout.sessions.retrieve(cs.id)).payment_status).toBe('paid');
  });

  it('answers an unknown id with 404 resource_missing', async () => {
    const err = await failure(f.stripe.customers.retrieve('cus_missing'));
    expect(err).toBeInstanceOf(StripeInvalidRequestError);
    expect(err).toMatchObject({
      code: 'resource_missing',
      statusCode: 404,
      message: "No such customer: 'cus_missing'",
    });
    const cus = build.customer();
    f.standIn.put(cus);
    expect(await failure(f.stripe.subscriptions.retrieve(cus.id))).toMatchObject({ code: 'resource_missing' });
  });

  it('serves deleted customers as tombstones and removed objects as 404', async () => {
    const cus = build.customer();
    const sub = build.subscription({ customer: cus.id });
    f.standIn.put(cus);
    f.standIn.put(sub);
    f.standIn.markDeleted(cus.id);
    f.standIn.markDeleted(sub.id);
    expect(await f.stripe.customers.retrieve(cus.id)).toEqual({ id: cus.id, object: 'customer', deleted: true });
    expect((await f.stripe.customers.list()).data).toEqual([]);
    expect(await failure(f.stripe.subscriptions.retrieve(sub.id))).toMatchObject({ statusCode: 404 });
    f.standIn.remove(cus.id);
    expect(await failure(f.stripe.customers.retrieve(cus.id))).toMatchObject({ code: 'resource_missing' });
  });
});

describe('lists', () => {
  it('paginates newest first and autoPagingEach walks every object once', async () => {
    const base = 1_700_000_000;
    for (let i = 0; i < 250; i++)
      f.standIn.put(build.customer({ id: `cus_${String(i).padStart(4, '0')}`, created: base + Math.floor(i / 3) }));
    const first = await f.stripe.customers.list();
    expect(first.data).toHaveLength(10);
    expect(first.has_more).toBe(true);
    expect(first.url).toBe('/v1/customers');
    expect(first.data[0].id).toBe('cus_0249');

    f.standIn.resetRequests();
    const seen: string[] = [];
    await f.stripe.customers.list({ limit: 100 }).autoPagingEach((c) => {
      seen.push(c.id);
    });
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen[0]).toBe('cus_0249');
    expect(seen[249]).toBe('cus_0000');
    expect(f.standIn.countRequests({ method: 'GET', pathPrefix: '/v1/customers' })).toBe(3);
    expect(await failure(f.stripe.customers.list({ limit: 101 }))).toBeInstanceOf(StripeInvalidRequestError);
  });

  it('filters subscriptions like Stripe: canceled only with status=all', async () => {
    const cus = build.customer();
    f.standIn.put(build.subscription({ customer: cus.id, status: 'active' }));
    f.standIn.put(build.subscription({ customer: cus.id, status: 'canceled' }));
    f.standIn.put(build.subscription({ status: 'past_due' }));
    expect((await f.stripe.subscriptions.list()).data).toHaveLength(2);
    expect((await f.stripe.subscriptions.list({ status: 'all' })).data).toHaveLength(3);
    expect((await f.stripe.subscriptions.list({ status: 'all', customer: cus.id })).data).toHaveLength(2);
    expect((await f.stripe.subscriptions.list({ status: 'canceled' })).data.map((s) => s.status)).toEqual(['canceled']);
  });

  it('lists events with created, type, types[] and delivery_success filters', async () => {
    const cus = build.customer();
    f.standIn.addEvent(build.event('customer.created', cus, { id: 'evt_1', created: 100 }));
    f.standIn.addEvent({
      ...build.event('invoice.paid', build.invoice(), { id: 'evt_2', created: 200 }),
      _undelivered: true,
    });
    f.standIn.addEvent(build.event('invoice.payment_failed', build.invoice(), { id: 'evt_3', created: 300 }), {
      delivered: false,
    });
    const ids = async (p: Stripe.EventListParams): Promise<string[]> =>
      (await f.stripe.events.list(p)).data.map((e) => e.id);
    expect(await ids({})).toEqual(['evt_3', 'evt_2', 'evt_1']);
    expect(await ids({ created: { gte: 200 } })).toEqual(['evt_3', 'evt_2']);
    expect(await ids({ created: { gt: 200 } })).toEqual(['evt_3']);
    expect(await ids({ type: 'invoice.*' })).toEqual(['evt_3', 'evt_2']);
    expect(await ids({ types: ['customer.created', 'invoice.paid'] })).toEqual(['evt_2', 'evt_1']);
    expect(await ids({ delivery_success: false })).toEqual(['evt_3', 'evt_2']);
    const evt = await f.stripe.events.retrieve('evt_2');
    expect(evt).not.toHaveProperty('_undelivered');
    expect(evt.api_version).toBe('2026-10-28.endive');
  });
});

describe('customer portal', () => {
  it('creates a session, records the params and refuses unknown customers', async () => {
    const cus = build.customer();
    f.standIn.put(cus);
    const session = await f.stripe.billingPortal.sessions.create({
      customer: cus.id,
      return_url: 'https://app.example.com/account',
      flow_data: { type: 'payment_method_update' },
    });
    expect(session).toMatchObject({
      object: 'billing_portal.session',
      customer: cus.id,
      return_url: 'https://app.example.com/account',
    });
    expect(session.flow?.type).toBe('payment_method_update');
    expect(session.url.startsWith(`${f.standIn.url}/p/session/bps_`)).toBe(true);
    expect(f.standIn.portalSessions).toEqual([
      { customer: cus.id, return_url: 'https://app.example.com/account', flow_data: { type: 'payment_method_update' } },
    ]);
    expect((await fetch(session.url)).status).toBe(200);

    const err = await failure(f.stripe.billingPortal.sessions.create({ customer: 'cus_nobody' }));
    expect(err).toBeInstanceOf(StripeInvalidRequestError);
    expect(err).toMatchObject({
      code: 'resource_missing',
      param: 'customer',
      message: "No such customer: 'cus_nobody'",
    });
  });
});

describe('webhook signing', () => {
  it('produces a header constructEvent accepts', () => {
    const { body, signature } = build.signedDelivery(build.event('customer.created', build.customer()), 'whsec_test');
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(f.stripe.webhooks.constructEvent(body, signature, 'whsec_test').type).toBe('customer.created');
  });
});
