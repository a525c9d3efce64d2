/**
 * A grace period running out changes access with no event (the sweep notifies); feature access
 * by entitlement lookup key; the entitlements route; bad input and unknown customers.
 */
import * as build from '../../stand-in/events';
import { waitFor } from '../../src/lib/wait';
import { Receiver } from '../support/receiver';
import { settle, startTestService, TestService } from '../support/service';

let receiver: Receiver;
let t: TestService;
beforeAll(async () => {
  receiver = await Receiver.start();
  t = await startTestService({
    ACCESS_WEBHOOK_URL: receiver.url,
    ACCESS_WEBHOOK_SECRET: 'grace-hook-secret-0123456789',
    ACCESS_SWEEP_INTERVAL_MS: '1000',
    ACCESS_GRACE_PERIOD_SECONDS: '2',
  });
});
afterAll(async () => {
  await t.stop();
  await receiver.close();
});

interface Note {
  data: { customer: string; access: boolean; reason: string; sequence: number };
}
const notes = (customer: string) =>
  receiver
    .accepted<Note>()
    .filter((n) => n.data.customer === customer)
    .sort((a, b) => a.data.sequence - b.data.sequence);
const get = async (path: string) => {
  const res = await t.v1('GET', path);
  return { status: res.status, body: res.json as Record<string, unknown> };
};

test('a grace period running out turns access off and notifies, with no event arriving', async () => {
  const customer = 'cus_Grace0001';
  const now = Math.floor(Date.now() / 1000);
  const sub = build.subscription({ id: 'sub_Grace0001', customer, status: 'active' });
  const failed = build.invoice({
    id: 'in_Grace0001',
    customer,
    subscription: sub.id,
    status: 'open',
    attempted: true,
    amount_due: 900,
    amount_paid: 0,
    amount_remaining: 900,
  });
  await t.deliver(build.event('customer.subscription.created', sub, { created: now - 5 }));
  // Applied on its own first: in one batch with the failure, the first answer would already be the grace one.
  await settle(t);
  await t.deliver(build.event('invoice.payment_failed', failed, { created: now }));
  await settle(t);
  expect((await get(`/customers/${customer}/access`)).body).toMatchObject({
    access: true,
    reason: 'payment_failed_in_grace_period',
  });
  await waitFor(() => notes(customer).length === 2, 15_000, 'the notification of the grace period running out');
  expect(notes(customer).map((n) => [n.data.access, n.data.reason])).toEqual([
    [true, 'subscription_active'],
    [false, 'payment_failed:in_Grace0001'],
  ]);
  expect((await get(`/customers/${customer}/access`)).body).toMatchObject({
    access: false,
    reason: 'payment_failed:in_Grace0001',
  });
});

test('feature access needs access first, then the feature among the active entitlements', async () => {
  const entitled = 'cus_Feature001';
  const lapsed = 'cus_Feature002';
  await t.deliver(
    build.event('customer.subscription.created', build.subscription({ customer: entitled, status: 'active' })),
  );
  await t.deliver(
    build.event('customer.subscription.created', build.subscription({ customer: lapsed, status: 'past_due' })),
  );
  for (const c of [entitled, lapsed])
    await t.deliver(build.entitlementSummaryEvent(c, [{ lookup_key: 'sso' }, { lookup_key: 'audit_log' }]));
  await settle(t);
  expect((await get(`/customers/${entitled}/access?feature=sso`)).body).toEqual({
    customer: entitled,
    access: true,
    status: 'active',
    reason: 'subscription_active',
  });
  expect((await get(`/customers/${entitled}/access?feature=reports`)).body).toMatchObject({
    access: false,
    status: 'active',
    reason: 'feature_not_entitled',
  });
  expect((await get(`/customers/${lapsed}/access?feature=sso`)).body).toMatchObject({
    access: false,
    reason: 'subscription_past_due',
  });
  expect((await get(`/customers/${entitled}/entitlements`)).body).toEqual({
    customer: entitled,
    features: ['audit_log', 'sso'],
  });
});

test('unknown customers get answers, not errors; malformed input gets a 400 naming it', async () => {
  expect(await get('/customers/cus_Nobody0001/access?feature=sso')).toEqual({
    status: 200,
    body: { customer: 'cus_Nobody0001', access: false, status: null, reason: 'unknown_customer' },
  });
  expect(await get('/customers/cus_Nobody0001/entitlements')).toEqual({
    status: 200,
    body: { customer: 'cus_Nobody0001', features: [] },
  });
  expect(await get('/customers/cus_Nobody0001/access?feature=')).toMatchObject({
    status: 400,
    body: { error: expect.stringMatching(/feature/) },
  });
  expect(await get('/customers/cus_Nobody0001/access?feature=a&feature=b')).toMatchObject({ status: 400 });
  expect(await get('/customers/not-a-customer/entitlements')).toMatchObject({
    status: 400,
    body: { error: expect.stringMatching(/customer id/) },
  });
});
