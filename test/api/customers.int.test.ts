/** GET /v1/customers/:id/access: restricted the moment invoice.payment_failed applies, restored on payment, in any order. */
import { http } from '../../stand-in/http-client';
import * as build from '../../stand-in/events';
import { settle, startTestService, TestService } from '../support/service';

let t: TestService;
let graceful: TestService;
beforeAll(async () => {
  t = await startTestService();
  graceful = await startTestService({ ACCESS_GRACE_PERIOD_SECONDS: '3600' });
});
afterAll(async () => {
  await t.stop();
  await graceful.stop();
});

const T0 = Math.floor(Date.now() / 1000) - 60;

function story(customer: string) {
  const sub = build.subscription({ id: `sub_${customer.slice(4)}`, customer, status: 'active' });
  const inv = (status: string, paid: boolean) =>
    build.invoice({
      id: `in_${customer.slice(4)}`,
      customer,
      subscription: sub.id,
      status,
      attempted: true,
      amount_due: 1000,
      amount_paid: paid ? 1000 : 0,
      amount_remaining: paid ? 0 : 1000,
    });
  return {
    subscribed: build.event('customer.subscription.created', sub, { created: T0 }),
    failed: build.event('invoice.payment_failed', inv('open', false), { created: T0 + 10 }),
    paid: build.event('invoice.paid', inv('paid', true), { created: T0 + 20 }),
  };
}

async function access(svc: TestService, customer: string) {
  const res = await svc.v1('GET', `/customers/${customer}/access`);
  expect(res.status).toBe(200);
  return res.json as { access: boolean; status: string | null; reason: string };
}

async function deliver(svc: TestService, ...events: object[]) {
  for (const e of events) expect((await svc.deliver(e)).status).toBe(200);
  await settle(svc);
}

test('payment_failed closes access at once; invoice.paid reopens it', async () => {
  const s = story('cus_Access0001');
  await deliver(t, s.subscribed);
  expect(await access(t, 'cus_Access0001')).toMatchObject({ access: true, status: 'active' });
  await deliver(t, s.failed);
  expect(await access(t, 'cus_Access0001')).toMatchObject({
    access: false,
    status: 'active',
    reason: `payment_failed:in_Access0001`,
  });
  await deliver(t, s.paid);
  expect(await access(t, 'cus_Access0001')).toMatchObject({ access: true, status: 'active' });
});

test('invoice.paid arriving before the older payment_failed still ends with access', async () => {
  const s = story('cus_Access0002');
  await deliver(t, s.paid, s.subscribed, s.failed);
  expect(await access(t, 'cus_Access0002')).toMatchObject({ access: true, status: 'active' });
});

test('payment_failed arriving before the subscription still restricts', async () => {
  const s = story('cus_Access0003');
  await deliver(t, s.failed, s.subscribed);
  expect(await access(t, 'cus_Access0003')).toMatchObject({ access: false, reason: 'payment_failed:in_Access0003' });
});

test('ACCESS_GRACE_PERIOD_SECONDS keeps access while the failure is recent', async () => {
  const s = story('cus_Access0004');
  await deliver(graceful, s.subscribed, s.failed);
  expect(await access(graceful, 'cus_Access0004')).toEqual({
    customer: 'cus_Access0004',
    access: true,
    status: 'active',
    reason: 'payment_failed_in_grace_period',
  });
});

test('past_due and canceled subscriptions give no access', async () => {
  const past = build.subscription({ customer: 'cus_Access0005', status: 'past_due' });
  await deliver(t, build.event('customer.subscription.updated', past, { created: T0 }));
  expect(await access(t, 'cus_Access0005')).toMatchObject({ access: false, status: 'past_due' });
  await deliver(t, build.event('customer.subscription.deleted', { ...past, status: 'canceled' }, { created: T0 + 5 }));
  expect(await access(t, 'cus_Access0005')).toMatchObject({ access: false, status: 'canceled' });
});

test('an unknown customer gets access:false', async () => {
  expect(await access(t, 'cus_Nobody00001')).toEqual({
    customer: 'cus_Nobody00001',
    access: false,
    status: null,
    reason: 'unknown_customer',
  });
});

test('an id that is not a customer id is a 400', async () => {
  expect((await t.v1('GET', '/customers/..%2Fadmin/access')).status).toBe(400);
});

test.each([
  ['no token', {}],
  ['a wrong token', { authorization: 'Bearer nope' }],
  ['a malformed header', { authorization: 'Basic abc' }],
])('/v1 with %s → 401', async (_name, headers) => {
  const res = await http('GET', `${t.url}/v1/customers/cus_Access0001/access`, { headers });
  expect(res.status).toBe(401);
  expect(res.json).toEqual({ error: 'missing or invalid bearer token' });
});
