/**
 * The stand-in's routes for objects without a typed table and for active entitlements, through the
 * real `stripe` SDK: retrieve and list (with Stripe's filters and pagination) from the resource table.
 */
import Stripe from 'stripe';
import * as build from '../../stand-in/events';
import { RESOURCES } from '../../stand-in/index';
import { failure, useStandIn } from '../support/stand-in';

const f = useStandIn();

describe('objects without a typed table', () => {
  it('retrieves every type of the resource table by id', async () => {
    const types = [...new Set(RESOURCES.map((r) => r.type))].filter((t) => build.objectSampleTypes().includes(t));
    expect(types.length).toBeGreaterThanOrEqual(25);
    for (const type of types) {
      const obj = build.object(type);
      f.standIn.put(obj);
      const spec = RESOURCES.find((r) => r.type === type)!;
      const path = `/v1/${spec.path.replace(':customer', String(obj.customer))}/${obj.id}`;
      const got = await f.stripe.rawRequest('GET', path);
      expect({ type, id: (got as unknown as { id: string }).id }).toEqual({ type, id: obj.id });
    }
  });

  it('retrieves and lists through the SDK methods, filtered by customer, newest first', async () => {
    const ch = (customer: string, created: number): Stripe.Charge =>
      build.object('charge', { customer, created }) as unknown as Stripe.Charge;
    const [a1, a2, b1] = [ch('cus_A', 100), ch('cus_A', 200), ch('cus_B', 300)];
    for (const c of [a1, a2, b1]) f.standIn.put(c);
    expect((await f.stripe.charges.retrieve(a1.id)).amount).toBe(a1.amount);
    expect((await f.stripe.charges.list({ customer: 'cus_A' })).data.map((c) => c.id)).toEqual([a2.id, a1.id]);
    expect((await f.stripe.charges.list()).data.map((c) => c.id)).toEqual([b1.id, a2.id, a1.id]);

    const pm = build.object('payment_method', { customer: 'cus_A' });
    f.standIn.put(pm);
    f.standIn.put(build.object('payment_method', { customer: 'cus_B' }));
    const pms = await f.stripe.paymentMethods.list({ customer: 'cus_A' });
    expect(pms.data.map((p) => [p.id, p.card?.last4])).toEqual([[pm.id, '4242']]);

    const dp = build.object('dispute', { charge: a1.id });
    f.standIn.put(dp);
    expect((await f.stripe.disputes.list({ charge: a1.id })).data.map((d) => d.id)).toEqual([dp.id]);
    expect((await f.stripe.disputes.list({ charge: a2.id })).data).toEqual([]);
    expect((await f.stripe.radar.earlyFraudWarnings.list()).data).toEqual([]);
    expect(await failure(f.stripe.refunds.retrieve('re_missing'))).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('serves customer-nested lists (balance transactions, tax ids) for that customer only', async () => {
    const mine = build.object('customer_balance_transaction', { customer: 'cus_N' });
    const other = build.object('customer_balance_transaction', { customer: 'cus_O' });
    const tax = build.object('tax_id', { customer: 'cus_N' });
    for (const o of [mine, other, tax]) f.standIn.put(o);
    expect((await f.stripe.customers.listBalanceTransactions('cus_N')).data.map((t) => t.id)).toEqual([mine.id]);
    expect((await f.stripe.customers.retrieveBalanceTransaction('cus_N', mine.id)).id).toBe(mine.id);
    expect(await failure(f.stripe.customers.retrieveBalanceTransaction('cus_N', other.id))).toMatchObject({
      statusCode: 404,
    });
    expect((await f.stripe.customers.listTaxIds('cus_N')).data.map((t) => t.id)).toEqual([tax.id]);
    expect((await f.stripe.taxIds.list()).data.map((t) => t.id)).toEqual([tax.id]);
  });

  it('answers a list Stripe does not have (mandates) as an unknown URL', async () => {
    f.standIn.put(build.object('mandate'));
    await failure(f.stripe.rawRequest('GET', '/v1/mandates'));
    expect(f.standIn.unexpected).toEqual(['GET /v1/mandates']);
    f.standIn.resetRequests();
  });

  it('lists invoices by subscription whatever version shape they were put in', async () => {
    const old = build.invoice({ subscription: 'sub_V' }, { apiVersion: '2020-03-02' });
    const pinned = build.invoice({ subscription: 'sub_V' });
    for (const inv of [old, pinned, build.invoice({ subscription: 'sub_W' })]) f.standIn.put(inv);
    expect(new Set((await f.stripe.invoices.list({ subscription: 'sub_V' })).data.map((i) => i.id))).toEqual(
      new Set([old.id, pinned.id]),
    );
  });
});

describe('active entitlements', () => {
  it("pages a customer's entitlements with limit, starting_after and has_more", async () => {
    const specs = Array.from({ length: 25 }, (_, i) => ({
      lookup_key: `feature-${i}`,
      id: `ent_${String(i).padStart(2, '0')}`,
    }));
    const stored = f.standIn.setEntitlements('cus_E', specs);
    f.standIn.setEntitlements('cus_other', [{ lookup_key: 'other' }]);
    expect(stored).toHaveLength(25);

    const first = await f.stripe.entitlements.activeEntitlements.list({ customer: 'cus_E', limit: 10 });
    expect(first).toMatchObject({ object: 'list', has_more: true, url: '/v1/entitlements/active_entitlements' });
    expect(first.data).toHaveLength(10);
    expect(first.data[0]).toMatchObject({ object: 'entitlements.active_entitlement', livemode: false });
    const second = await f.stripe.entitlements.activeEntitlements.list({
      customer: 'cus_E',
      limit: 10,
      starting_after: first.data[9].id,
    });
    expect(second.data.map((e) => e.id)).not.toContain(first.data[0].id);

    const all: string[] = [];
    await f.stripe.entitlements.activeEntitlements.list({ customer: 'cus_E', limit: 10 }).autoPagingEach((e) => {
      all.push(e.lookup_key);
    });
    expect(all.sort()).toEqual(specs.map((s) => s.lookup_key).sort());
    expect(f.standIn.countRequests({ pathPrefix: '/v1/entitlements/active_entitlements' })).toBe(2 + 3);

    f.standIn.setEntitlements('cus_E', [{ lookup_key: 'only' }]);
    expect(
      (await f.stripe.entitlements.activeEntitlements.list({ customer: 'cus_E' })).data.map((e) => e.lookup_key),
    ).toEqual(['only']);
  });

  it('requires customer, as Stripe does', async () => {
    const err = await failure(f.stripe.rawRequest('GET', '/v1/entitlements/active_entitlements'));
    expect(err).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'customer' });
  });
});
