/** npm run backfill's engine against the stand-in's paginated lists: watermarks, resume, 429s, pacing. */
import type Stripe from 'stripe';
import { createLogger } from '../../src/logger';
import { runBackfill, BackfillDeps, BackfillProgress } from '../../src/ops/backfill';
import { RateLimiter } from '../../src/lib/rate-limiter';
import { createStripeClient } from '../../src/stripe';
import { waitFor } from '../../src/lib/wait';
import { startTestService, TestService } from '../support/service';
import { customer, event, invoice, object, price, product, subscription } from '../../stand-in/events';

let t: TestService;
let stripe: Stripe;
const log = createLogger('silent');
const deps = (perSecond = 1000): BackfillDeps => ({
  stripe,
  dataSource: t.service.dataSource,
  log,
  limiter: new RateLimiter(perSecond),
  backoff: { baseDelayMs: 20 },
});
const count = async (table: string): Promise<number> =>
  Number((await t.service.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);

const customers: Stripe.Customer[] = [];
beforeAll(async () => {
  t = await startTestService();
  stripe = createStripeClient({ secretKey: 'sk_test_backfill', apiUrl: t.standIn.url });
  const prod = product();
  const prices = [price({ product: prod.id }), price({ product: prod.id, active: false })];
  t.standIn.put(prod);
  prices.forEach((p) => t.standIn.put(p));
  for (let i = 0; i < 23; i++) {
    const c = customer();
    customers.push(c);
    t.standIn.put(c);
  }
  for (const c of customers.slice(0, 5)) {
    const s = subscription({ customer: c.id, items: [{ price: prices[0] }] });
    t.standIn.put(s);
    t.standIn.put(invoice({ customer: c.id, subscription: s.id, status: 'paid' }));
  }
  t.standIn.put(subscription({ customer: customers[5].id, status: 'canceled' }));
  // Objects without a typed table: listed into stripe_objects, card details dropped.
  t.standIn.put(object('charge', { id: 'ch_Backfill1', customer: customers[0].id }));
  t.standIn.put(object('coupon', { id: 'co_Backfill1' }));
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  t.standIn.clearFaults();
  t.standIn.resetRequests();
  await t.service.dataSource.query('DELETE FROM backfill_cursors');
});

test('pages every resource into an empty mirror, subscriptions with status=all and their items', async () => {
  const progress: BackfillProgress[] = [];
  const report = await runBackfill(deps(), { pageSize: 10, onProgress: (p) => progress.push(p) });
  expect(report.completed).toBe(true);
  expect(report.resources.customers).toEqual({ pages: 3, objects: 23, changed: 23, done: true });
  expect(await count('customers')).toBe(23);
  expect(await count('products')).toBe(1);
  expect(await count('prices')).toBe(2);
  expect(await count('subscriptions')).toBe(6);
  expect(await count('subscription_items')).toBe(6);
  expect(await count('invoices')).toBe(5);
  expect(
    await t.service.dataSource.query('SELECT stripe_id, type, stripe_customer_id FROM stripe_objects ORDER BY 1'),
  ).toEqual([
    { stripe_id: 'ch_Backfill1', type: 'charge', stripe_customer_id: customers[0].id },
    { stripe_id: 'co_Backfill1', type: 'coupon', stripe_customer_id: null },
  ]);
  expect(JSON.stringify(await t.service.dataSource.query('SELECT data FROM stripe_objects'))).not.toContain('last4');
  const subscriptionLists = t.standIn.requests.filter((r) => r.path === '/v1/subscriptions');
  expect(subscriptionLists.every((r) => r.query.status === 'all')).toBe(true);
  const last = progress.at(-1)!;
  // Typed tables first (products and prices before the subscriptions that use them), then stripe_objects.
  expect(last).toMatchObject({ resource: 'plans', hasMore: false, remainingResources: [] });
  expect(progress.findIndex((p) => p.resource === 'invoices')).toBeLessThan(
    progress.findIndex((p) => p.resource === 'charges'),
  );
  expect(progress.find((p) => p.resource === 'customers' && p.pages === 1)).toMatchObject({
    hasMore: true,
    objects: 10,
  });
  // Once finished, the next run starts over and changes nothing the listing already gave.
  const again = await runBackfill(deps(), { pageSize: 10, safetySeconds: 300 });
  expect(again.resumed).toEqual([]);
  expect(again.objects).toBe(39);
});

test('never overwrites what a newer webhook wrote; replaces what an older one wrote', async () => {
  const [fresh, stale] = [customers[10], customers[11]];
  const now = Math.floor(Date.now() / 1000);
  expect(
    (
      await t.deliver(
        event('customer.updated', { ...fresh, email: 'webhook-newer@example.com' }, { created: now + 60 }),
      )
    ).status,
  ).toBe(200);
  await waitFor(
    async () =>
      (await t.service.dataSource.query("SELECT 1 FROM customers WHERE email = 'webhook-newer@example.com'")).length ===
      1,
    10_000,
    'webhook',
  );
  // As an event from an hour ago would have left it.
  await t.service.dataSource.query(
    "UPDATE customers SET email = 'webhook-older@example.com', watermark = $2 WHERE stripe_id = $1",
    [stale.id, now - 3600],
  );
  await runBackfill(deps(), { resources: ['customers'], pageSize: 100 });
  const emails = await t.service.dataSource.query(
    'SELECT stripe_id, email FROM customers WHERE stripe_id = ANY($1) ORDER BY stripe_id',
    [[fresh.id, stale.id]],
  );
  expect(Object.fromEntries(emails.map((r: { stripe_id: string; email: string }) => [r.stripe_id, r.email]))).toEqual({
    [fresh.id]: 'webhook-newer@example.com',
    [stale.id]: stale.email,
  });
});

test('an interrupted backfill resumes after the last applied page', async () => {
  const interrupted = runBackfill(deps(), {
    resources: ['customers', 'invoices'],
    pageSize: 5,
    // Stripe starts failing hard after the second page (the SDK's own 5xx retries give up).
    onProgress: (p) => {
      if (p.pages === 2) t.standIn.setFaults({ rate: 1, statuses: [500], paths: /^\/v1\/customers/ });
    },
  });
  await expect(interrupted).rejects.toThrow();
  const [cursor] = await t.service.dataSource.query(
    "SELECT starting_after, pages_done, objects_done, completed_at FROM backfill_cursors WHERE resource = 'customers'",
  );
  expect(cursor).toMatchObject({ pages_done: 2, objects_done: 10, completed_at: null });
  t.standIn.clearFaults();
  t.standIn.resetRequests();
  const resumed = await runBackfill(deps(), { resources: ['customers', 'invoices'], pageSize: 5 });
  expect(resumed.resumed).toEqual(['customers']);
  expect(resumed.completed).toBe(true);
  expect(resumed.resources.customers).toMatchObject({ pages: 5, objects: 23, done: true });
  const lists = t.standIn.requests.filter((r) => r.path === '/v1/customers');
  expect(lists).toHaveLength(3);
  expect(lists[0].query.starting_after).toBe(cursor.starting_after);
});

test('a 429 from Stripe backs off and the page is fetched again', async () => {
  t.standIn.setFaults({ rate: 1, statuses: [429], paths: /^\/v1\/products/, times: 2 });
  const limited: number[] = [];
  const report = await runBackfill(
    { ...deps(), backoff: { baseDelayMs: 20, onRateLimited: (attempt) => limited.push(attempt) } },
    { resources: ['products'] },
  );
  expect(report.completed).toBe(true);
  expect(limited).toEqual([1, 2]);
  expect(t.standIn.countRequests({ method: 'GET', pathPrefix: '/v1/products' })).toBe(3);
});

test('stays under the configured request rate', async () => {
  const started = Date.now();
  const report = await runBackfill(deps(10), { resources: ['customers'], pageSize: 5 });
  const seconds = (Date.now() - started) / 1000;
  expect(report.requests).toBe(5);
  // Five requests at 10/s: the first goes at once, the others 100 ms apart.
  expect(seconds).toBeGreaterThanOrEqual(0.39);
  expect(report.requests / seconds).toBeLessThanOrEqual(12.5);
});
