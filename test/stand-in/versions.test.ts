/**
 * The stand-in's builders in each supported API version: the version-dependent fields land where
 * that version puts them (subscription period, invoice → subscription, plan-era items), and one
 * lifecycle built through buildersFor(v) carries the same logical values in every version.
 */
import * as build from '../../stand-in/events';
import { layoutOf, placeInvoiceSubscription, placeSubscriptionPeriod } from '../../stand-in/versions';

type Json = Record<string, unknown>;
const asJson = (o: object): Json => o as unknown as Json;
const items = (sub: object): Json[] => (asJson(sub).items as { data: Json[] }).data;

describe('layoutOf', () => {
  it('puts the basil change at 2025-03-31 and the single-plan fields before 2020-08-27', () => {
    expect(layoutOf('2020-03-02')).toEqual({
      periodOn: 'subscription',
      invoiceSubscription: 'top-level',
      subscriptionPlanFields: true,
    });
    expect(layoutOf('2024-06-20')).toEqual({
      periodOn: 'subscription',
      invoiceSubscription: 'top-level',
      subscriptionPlanFields: false,
    });
    expect(layoutOf(build.API_VERSION)).toEqual({
      periodOn: 'items',
      invoiceSubscription: 'parent',
      subscriptionPlanFields: false,
    });
  });
});

describe('placement functions', () => {
  it('moves the first item period onto a pre-basil subscription and off the items', () => {
    const sub = {
      start_date: 1,
      items: {
        data: [
          { current_period_start: 10, current_period_end: 20 },
          { current_period_start: 10, current_period_end: 20 },
        ],
      },
    };
    expect(placeSubscriptionPeriod(sub, layoutOf('2024-06-20'))).toEqual({
      start_date: 1,
      current_period_start: 10,
      current_period_end: 20,
      items: { data: [{}, {}] },
    });
  });

  it('keeps the period on the items at the pinned version', () => {
    const sub = { current_period_end: 5, items: { data: [{ current_period_start: 10, current_period_end: 20 }] } };
    expect(placeSubscriptionPeriod(sub, layoutOf(build.API_VERSION))).toEqual({
      items: { data: [{ current_period_start: 10, current_period_end: 20 }] },
    });
  });

  it('links an invoice to its subscription top-level or through parent.subscription_details', () => {
    expect(placeInvoiceSubscription({ parent: null }, 'sub_1', layoutOf('2020-03-02'))).toEqual({
      subscription: 'sub_1',
    });
    expect(placeInvoiceSubscription({ subscription: null }, 'sub_1', layoutOf(build.API_VERSION))).toEqual({
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { metadata: {}, subscription: 'sub_1' },
      },
    });
    expect(placeInvoiceSubscription({ subscription: 'x' }, null, layoutOf(build.API_VERSION))).toEqual({
      parent: null,
    });
  });
});

describe('versioned builders', () => {
  const period = { current_period_start: 1_800_000_000, current_period_end: 1_802_592_000 };

  it('2020-03-02: period, plan and quantity on the subscription; items with plan (and price unless plan-only)', () => {
    const b = build.buildersFor('2020-03-02');
    const sub = asJson(b.subscription({ customer: 'cus_1', items: [{ price: 'price_a', ...period }] }));
    expect(sub).toMatchObject({ ...period, quantity: 1, tax_percent: null, plan: { id: 'price_a', object: 'plan' } });
    expect(items(sub)[0]).not.toHaveProperty('current_period_end');
    expect(items(sub)[0]).toMatchObject({ plan: { id: 'price_a' }, price: { id: 'price_a' } });
    const planOnly = b.subscription({ items: [{ price: 'price_b', planOnly: true }, { price: 'price_c' }] });
    expect(items(planOnly)[0]).not.toHaveProperty('price');
    expect(items(planOnly)[0]).toMatchObject({ plan: { id: 'price_b', object: 'plan' } });
    expect(asJson(planOnly)).toMatchObject({ plan: null, quantity: null });
    const cus = asJson(b.customer({ id: 'cus_old' }));
    expect(cus.subscriptions).toEqual({
      object: 'list',
      data: [],
      has_more: false,
      url: '/v1/customers/cus_old/subscriptions',
    });
  });

  it('2024-06-20: period on the subscription, no single-plan fields, invoice subscription top-level', () => {
    const b = build.buildersFor('2024-06-20');
    const sub = asJson(b.subscription({ items: [{ ...period }] }));
    expect(sub).toMatchObject(period);
    expect(sub).not.toHaveProperty('plan');
    expect(items(sub)[0]).not.toHaveProperty('current_period_start');
    const inv = asJson(b.invoice({ subscription: 'sub_1', status: 'paid' }));
    expect(inv).toMatchObject({ subscription: 'sub_1', paid: true, status: 'paid' });
    expect(inv).not.toHaveProperty('parent');
    expect((inv.lines as { data: Json[] }).data[0]).toMatchObject({ type: 'subscription', subscription: 'sub_1' });
  });

  it('pinned: period on the items, invoice subscription under parent, no top-level subscription', () => {
    const b = build.buildersFor(build.API_VERSION);
    const sub = asJson(b.subscription({ items: [{ ...period }] }));
    expect(sub).not.toHaveProperty('current_period_end');
    expect(items(sub)[0]).toMatchObject(period);
    const inv = asJson(b.invoice({ subscription: 'sub_1' }));
    expect(inv).not.toHaveProperty('subscription');
    expect(inv.parent).toMatchObject({ subscription_details: { subscription: 'sub_1' } });
    expect(inv).not.toHaveProperty('paid');
  });

  it('builds the same lifecycle in every version: same ids, statuses, periods and links', () => {
    const logical = build.API_VERSIONS.map((v) => {
      const b = build.buildersFor(v);
      const sub = asJson(
        b.subscription({
          id: 'sub_L',
          customer: 'cus_L',
          status: 'past_due',
          items: [{ id: 'si_L', price: 'price_L', quantity: 2, ...period }],
        }),
      );
      const inv = asJson(
        b.invoice({ id: 'in_L', customer: 'cus_L', subscription: 'sub_L', status: 'open', amount_due: 900 }),
      );
      const evt = b.event('customer.subscription.updated', sub);
      const item = items(sub)[0];
      const sPeriod = layoutOf(v).periodOn === 'items' ? item : sub;
      const invSub =
        inv.subscription ?? (inv.parent as { subscription_details: Json }).subscription_details.subscription;
      return {
        apiVersion: evt.api_version,
        sub: [
          sub.id,
          sub.customer,
          sub.status,
          item.id,
          (item.price as Json).id,
          item.quantity,
          sPeriod.current_period_start,
          sPeriod.current_period_end,
        ],
        inv: [inv.id, inv.customer, inv.status, inv.amount_due, invSub],
      };
    });
    expect(logical.map((l) => l.apiVersion)).toEqual([...build.API_VERSIONS]);
    for (const l of logical) {
      expect(l.sub).toEqual([
        'sub_L',
        'cus_L',
        'past_due',
        'si_L',
        'price_L',
        2,
        period.current_period_start,
        period.current_period_end,
      ]);
      expect(l.inv).toEqual(['in_L', 'cus_L', 'open', 900, 'sub_L']);
    }
  });
});

describe('events whose object has no id', () => {
  it('balance.available, invoice.upcoming and the entitlement summary carry objects without id', () => {
    const bal = build.balanceAvailableEvent(500, 20);
    expect(bal.data.object).toMatchObject({ object: 'balance', available: [{ amount: 500, currency: 'usd' }] });
    expect(bal.data.object).not.toHaveProperty('id');

    const up = build.invoiceUpcomingEvent({ customer: 'cus_U', subscription: 'sub_U' }, { apiVersion: '2020-03-02' });
    expect(up).toMatchObject({
      type: 'invoice.upcoming',
      api_version: '2020-03-02',
      data: { object: { object: 'invoice', customer: 'cus_U', subscription: 'sub_U', status: 'draft' } },
    });
    expect(up.data.object).not.toHaveProperty('id');

    const sum = build.entitlementSummaryEvent(
      'cus_E',
      [{ lookup_key: 'seats', feature: 'feat_1', id: 'ent_1' }, { lookup_key: 'api' }],
      { hasMore: true },
    );
    expect(sum.type).toBe('entitlements.active_entitlement_summary.updated');
    expect(sum.data.object).toMatchObject({
      object: 'entitlements.active_entitlement_summary',
      customer: 'cus_E',
      entitlements: {
        object: 'list',
        has_more: true,
        data: [
          {
            id: 'ent_1',
            object: 'entitlements.active_entitlement',
            feature: 'feat_1',
            lookup_key: 'seats',
            livemode: false,
          },
          { lookup_key: 'api' },
        ],
      },
    });
    expect(sum.data.object).not.toHaveProperty('id');
  });
});

describe('objects without a typed table', () => {
  it('buildObjectEvent wraps a realistic object with a fresh id; a payment method keeps its card details', () => {
    const e = build.buildObjectEvent('payment_method.attached', 'payment_method', { customer: 'cus_P' });
    const pm = e.data.object as unknown as Json;
    expect(pm).toMatchObject({
      object: 'payment_method',
      customer: 'cus_P',
      card: { last4: '4242', exp_month: expect.any(Number), fingerprint: expect.any(String) },
    });
    expect(String(pm.id)).toMatch(/^pm_/);
    expect(build.object('charge').id).not.toBe(build.object('charge').id);
    expect(
      String(asJson(build.buildObjectEvent('charge.dispute.created', 'dispute', { charge: 'ch_1' }).data.object).id),
    ).toMatch(/^dp_/);
  });
});
