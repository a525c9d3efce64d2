/**
 * One lifecycle rendered in three API versions (2020-03-02, 2024-06-20 and the pinned one) ends in
 * the same mirror: subscription items with their period and price (from `plan` on the oldest
 * items), invoices linked to their subscription, access; in order and shuffled, with no Stripe
 * read for any version (the mappers read every shape; no refetch off the tie path). A shape none
 * reads is fetched again in the pinned version, and fails for good only if that fails too.
 */
import { EventBatcher } from '../../src/events/batcher';
import { PermanentError } from '../../src/events/handler-types';
import { createLogger } from '../../src/logger';
import { createStripeClient } from '../../src/stripe';
import { API_VERSIONS, ApiVersion, buildersFor } from '../../stand-in/events';
import { seededRandom, shuffle } from '../../stand-in/util';
import { settle, startTestService, TestService } from '../support/service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => t.stop());

const T0 = Math.floor(Date.now() / 1000) - 3600;
const PERIOD = { current_period_start: 1_767_225_600, current_period_end: 1_769_904_000 };

/** The story of customer `cus_Ver<tag>` in `version`; `planOnly` renders the item the 2020 way. */
function lifecycle(version: ApiVersion, tag: string) {
  const b = buildersFor(version);
  const customer = `cus_Ver${tag}`;
  const price = b.price({ id: `price_Ver${tag}`, product: `prod_Ver${tag}`, unit_amount: 1500 });
  const items = [{ id: `si_Ver${tag}`, price, quantity: 3, ...PERIOD, planOnly: version === '2020-03-02' }];
  const sub = b.subscription({ id: `sub_Ver${tag}`, customer, status: 'active', items });
  const invoice = (status: string, paid: boolean) =>
    b.invoice({
      id: `in_Ver${tag}`,
      customer,
      subscription: sub.id,
      status,
      attempted: true,
      amount_due: 4500,
      amount_paid: paid ? 4500 : 0,
      amount_remaining: paid ? 0 : 4500,
    });
  return [
    b.event('product.created', b.product({ id: `prod_Ver${tag}`, name: 'Team' }), { created: T0 }),
    b.event('price.created', price, { created: T0 }),
    b.event('customer.created', b.customer({ id: customer, email: 'ada@example.com' }), { created: T0 + 1 }),
    b.event('customer.subscription.created', sub, { created: T0 + 2 }),
    b.event('invoice.created', invoice('draft', false), { created: T0 + 3 }),
    b.event('invoice.payment_failed', invoice('open', false), { created: T0 + 4 }),
    b.event('customer.subscription.updated', { ...sub, cancel_at_period_end: true }, { created: T0 + 5 }),
    b.event('invoice.paid', invoice('paid', true), { created: T0 + 6 }),
  ];
}

/** Every mirror row of `tag`'s story, with the tag taken out so the versions compare. */
async function mirrorOf(tag: string): Promise<unknown> {
  const q = (sql: string) => t.service.dataSource.query(sql, [`%Ver${tag}`]);
  const rows = {
    customers: await q('SELECT stripe_id, email, deleted FROM customers WHERE stripe_id LIKE $1'),
    products: await q('SELECT stripe_id, name, active FROM products WHERE stripe_id LIKE $1'),
    prices: await q(
      'SELECT stripe_id, stripe_product_id, unit_amount, currency, active FROM prices WHERE stripe_id LIKE $1',
    ),
    subscriptions: await q(
      'SELECT stripe_id, stripe_customer_id, status, cancel_at_period_end FROM subscriptions WHERE stripe_id LIKE $1',
    ),
    items: await q(
      'SELECT stripe_id, stripe_subscription_id, stripe_price_id, quantity, current_period_start, current_period_end FROM subscription_items WHERE stripe_id LIKE $1',
    ),
    invoices: await q(
      'SELECT stripe_id, stripe_customer_id, stripe_subscription_id, status, amount_due, amount_paid, payment_failed_at FROM invoices WHERE stripe_id LIKE $1',
    ),
    access: (await t.v1('GET', `/customers/cus_Ver${tag}/access`)).json,
  };
  return JSON.parse(JSON.stringify(rows).replaceAll(`Ver${tag}`, 'VerX'));
}

test.each([
  ['in order', 0],
  ['shuffled', 1],
] as const)('the same lifecycle in every API version ends in the same mirror (%s)', async (_, seed) => {
  const before = t.standIn.requests.length;
  const tags = API_VERSIONS.map((_, n) => `${seed}${n}`);
  for (const [n, version] of API_VERSIONS.entries()) {
    const events = lifecycle(version, tags[n]);
    for (const e of seed ? shuffle(events, seededRandom(n + 1)) : events) expect((await t.deliver(e)).status).toBe(200);
  }
  await settle(t);
  const [pinned, ...older] = await Promise.all([...tags].reverse().map(mirrorOf));
  expect((pinned as { items: unknown[] }).items).toEqual([
    {
      stripe_id: 'si_VerX',
      stripe_subscription_id: 'sub_VerX',
      stripe_price_id: 'price_VerX',
      quantity: 3,
      ...{
        current_period_start: String(PERIOD.current_period_start),
        current_period_end: String(PERIOD.current_period_end),
      },
    },
  ]);
  expect((pinned as { invoices: Array<{ stripe_subscription_id: string }> }).invoices[0].stripe_subscription_id).toBe(
    'sub_VerX',
  );
  for (const other of older) expect(other).toEqual(pinned);
  const failed = await t.service.eventQueues!.partitions[0].getFailed();
  expect(failed.map((j) => j.failedReason)).toEqual([]);
  // No version needed a Stripe read: every shape was understood as it came.
  expect(t.standIn.requests.slice(before).filter((r) => r.method === 'GET')).toEqual([]);
});

test('a shape no mapper reads, fetched again in the pinned version and still unreadable, fails for good with its cause', async () => {
  const batcher = new EventBatcher(
    {
      dataSource: t.service.dataSource,
      stripe: createStripeClient({ secretKey: 'sk_test_x', apiUrl: t.standIn.url }),
      log: createLogger('silent'),
    },
    { maxBatch: 50, maxInFlight: 1 },
  );
  const b = buildersFor('2020-03-02');
  // An empty status in an older version's event; Stripe (the stand-in) no longer has the subscription.
  const evt = b.event('customer.subscription.updated', b.subscription({ customer: 'cus_VerBad', status: '' }));
  const failure = await batcher.apply(JSON.parse(JSON.stringify(evt))).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(PermanentError);
  expect((failure as Error).message).toMatch(/^malformed subscription: status: .*still not readable\)$/);
  const cause = (failure as Error).cause;
  expect(cause).toBeInstanceOf(PermanentError);
  expect((failure as Error).message.startsWith((cause as Error).message)).toBe(true);
});
