/**
 * The console's resync engine (ops/resync.ts) against the stand-in: it fetches one customer, its
 * subscriptions and invoices, replaces rows older than the fetch, never moves a row backwards,
 * applies a deleted customer as a deletion, and changes nothing for a customer Stripe does not know.
 */
import type Stripe from 'stripe';
import { createLogger } from '../../src/logger';
import { RateLimiter } from '../../src/lib/rate-limiter';
import { type ResyncDeps, resyncCustomer } from '../../src/ops/resync';
import { createStripeClient } from '../../src/stripe';
import * as build from '../../stand-in/events';
import { settle, startTestService, type TestService } from '../support/service';

let t: TestService;
let stripe: Stripe;
const deps = (): ResyncDeps => ({
  stripe,
  dataSource: t.service.dataSource,
  log: createLogger('silent'),
  limiter: new RateLimiter(1000),
  access: { graceSeconds: 0, notify: false },
});
const row = async (table: string, id: string) =>
  (
    (await t.service.dataSource.query(`SELECT * FROM ${table} WHERE stripe_id = $1`, [id])) as Array<
      Record<string, unknown>
    >
  )[0];
const now = () => Math.floor(Date.now() / 1000);
/** Stripe changes an object, and no event tells the service. */
const changeInStripe = <T extends { id: string; object: string }>(o: T, changes: Partial<T>) =>
  t.standIn.put({ ...o, ...changes });

beforeAll(async () => {
  t = await startTestService();
  stripe = createStripeClient({ secretKey: 'sk_test_resync', apiUrl: t.standIn.url });
});
afterAll(async () => {
  await t.stop();
});

/** A customer with one subscription and one open invoice, mirrored from events `age` seconds old. */
async function mirrored(age: number) {
  const customer = build.customer({ name: 'Before' });
  const sub = build.subscription({ customer: customer.id, status: 'past_due' });
  const inv = build.invoice({ customer: customer.id, subscription: sub.id, status: 'open', attempted: true });
  for (const o of [customer, sub, inv]) t.standIn.put(o);
  for (const [type, o] of [
    ['customer.created', customer],
    ['customer.subscription.created', sub],
    ['invoice.payment_failed', inv],
  ] as const)
    await t.deliver(build.event(type, o, { created: now() - age }));
  await settle(t);
  return { customer, sub, inv };
}

test('rows older than the fetch are replaced, the access answer follows, and Stripe is asked only about this customer', async () => {
  const { customer, sub, inv } = await mirrored(3600);
  const extra = build.invoice({ customer: customer.id, subscription: sub.id, status: 'paid' });
  changeInStripe(customer, { name: 'After' });
  changeInStripe(sub, { status: 'active' });
  changeInStripe(inv, { status: 'paid', amount_paid: inv.amount_due, amount_remaining: 0 });
  t.standIn.put(extra);
  t.standIn.resetRequests();
  const report = await resyncCustomer(deps(), customer.id);
  expect(report.found).toBe(true);
  expect(report.objects.map((o) => [o.type, o.id, o.outcome]).sort()).toEqual(
    [
      ['customer', customer.id, 'applied'],
      ['invoice', extra.id, 'applied'],
      ['invoice', inv.id, 'applied'],
      ['subscription', sub.id, 'applied'],
    ].sort(),
  );
  expect(await row('customers', customer.id)).toMatchObject({ name: 'After' });
  expect(await row('subscriptions', sub.id)).toMatchObject({ status: 'active' });
  expect(await row('invoices', inv.id)).toMatchObject({ status: 'paid', payment_failed_at: null });
  const [access] = await t.service.dataSource.query(
    'SELECT access, reason FROM customer_access WHERE stripe_customer_id = $1',
    [customer.id],
  );
  expect(access).toEqual({ access: true, reason: 'subscription_active' });
  const asked = t.standIn.requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)}`);
  expect(asked).toHaveLength(3);
  expect(asked.every((line) => line.includes(customer.id))).toBe(true);
});

test('never moves a row backwards: a row written by an event in the last minutes is left alone', async () => {
  const { customer, sub } = await mirrored(10);
  changeInStripe(sub, { status: 'canceled' });
  const report = await resyncCustomer(deps(), customer.id);
  expect(report.objects.find((o) => o.id === sub.id)?.outcome).toBe('skipped');
  expect(await row('subscriptions', sub.id)).toMatchObject({ status: 'past_due' });
  // With no safety margin the fetch counts as now, newer than the event: it is applied.
  const eager = await resyncCustomer(deps(), customer.id, { safetySeconds: 0 });
  expect(eager.objects.find((o) => o.id === sub.id)?.outcome).toBe('applied');
  expect(await row('subscriptions', sub.id)).toMatchObject({ status: 'canceled' });
});

test('a customer Stripe shows deleted is applied as a deletion; one Stripe does not know changes nothing', async () => {
  const { customer } = await mirrored(3600);
  t.standIn.markDeleted(customer.id);
  const report = await resyncCustomer(deps(), customer.id);
  expect(report.objects).toEqual([{ type: 'customer', id: customer.id, outcome: 'applied' }]);
  expect(await row('customers', customer.id)).toMatchObject({ deleted: true });

  const before = await t.service.dataSource.query('SELECT count(*)::int AS n FROM customers');
  const unknown = await resyncCustomer(deps(), 'cus_NeverExisted1');
  expect(unknown).toEqual({ customer: 'cus_NeverExisted1', found: false, objects: [] });
  expect(await t.service.dataSource.query('SELECT count(*)::int AS n FROM customers')).toEqual(before);
});
