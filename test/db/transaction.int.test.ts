/**
 * The event transaction in two round trips (db/transaction.ts): BEGIN + lock + dedupe insert +
 * locked read, then the handler's writes + COMMIT, driven as the worker drives it (an
 * EventBatcher). A write that fails in the closing round trip must take the dedupe insert down
 * with it, and inlined values must arrive byte for byte.
 */
import { createLogger } from '../../src/logger';
import type { StripeEventDeps } from '../../src/events/apply';
import { EventBatcher } from '../../src/events/batcher';
import { createStripeClient } from '../../src/stripe';
import * as build from '../../stand-in/events';
import { startTestService, TestService } from '../support/service';

let t: TestService;
let batcher: EventBatcher;
beforeAll(async () => {
  t = await startTestService();
  const deps: StripeEventDeps = {
    dataSource: t.service.dataSource,
    stripe: createStripeClient({ secretKey: 'sk_test_x', apiUrl: t.standIn.url }),
    log: createLogger('silent'),
  };
  batcher = new EventBatcher(deps, { maxBatch: 50, maxInFlight: 4 });
});
/** Applies a copy of `evt`, as a job hands its payload to the batcher. */
const apply = (evt: object) => batcher.apply(JSON.parse(JSON.stringify(evt)));
afterAll(async () => t.stop());

const processed = async (id: string) =>
  t.service.dataSource.query('SELECT 1 FROM processed_events WHERE stripe_event_id = $1', [id]);

test('a write that fails with COMMIT rolls back the dedupe insert and the row, so a retry applies', async () => {
  const sub = build.subscription({
    customer: 'cus_RoundTrip01',
    items: [{ id: 'si_Huge', price: 'price_A', quantity: 3_000_000_000 }],
  });
  const evt = build.event('customer.subscription.created', sub, { created: 1_700_000_000 });
  await expect(apply(evt)).rejects.toThrow(/out of range/);
  expect(await processed(evt.id)).toEqual([]);
  expect(await t.service.dataSource.query('SELECT 1 FROM subscriptions WHERE stripe_id = $1', [sub.id])).toEqual([]);

  (evt.data.object as typeof sub).items.data[0].quantity = 3;
  await expect(apply(evt)).resolves.toBe('applied');
  await expect(apply(evt)).resolves.toBe('duplicate');
  expect(await processed(evt.id)).toHaveLength(1);
  expect(
    await t.service.dataSource.query(
      'SELECT stripe_id, quantity FROM subscription_items WHERE stripe_subscription_id = $1',
      [sub.id],
    ),
  ).toEqual([{ stripe_id: 'si_Huge', quantity: 3 }]);
});

test('inlined values arrive unchanged: quotes, backslashes, dollar signs, nulls', async () => {
  const name = String.raw`O'Brien \ "x" $1 $$ E'\n' ;COMMIT; --`;
  const cus = build.customer({ id: 'cus_RoundTrip02', name, email: null });
  await expect(apply(build.event('customer.created', cus, { created: 1_700_000_000 }))).resolves.toBe('applied');
  expect(
    await t.service.dataSource.query('SELECT name, email, watermark FROM customers WHERE stripe_id = $1', [cus.id]),
  ).toEqual([{ name, email: null, watermark: '1700000000' }]);
});

test('a NUL or a lone surrogate in Stripe text is stored as U+FFFD and the event applies (typed columns and jsonb)', async () => {
  // PostgreSQL text cannot hold a NUL byte, and jsonb refuses \u0000 and lone surrogates: once, such
  // an event failed for good.
  const cus = build.customer({ id: 'cus_RoundTrip03', name: 'a\u0000b', email: 'x\u0000@example.com' });
  await expect(apply(build.event('customer.created', cus, { created: 1_700_000_000 }))).resolves.toBe('applied');
  expect(await t.service.dataSource.query('SELECT name, email FROM customers WHERE stripe_id = $1', [cus.id])).toEqual([
    { name: 'a\uFFFDb', email: 'x\uFFFD@example.com' },
  ]);

  const charge = build.object('charge', {
    id: 'ch_RoundTrip03',
    customer: cus.id,
    description: 'a\u0000b \ud800 c',
    metadata: { 'k\u0000': 'v\udc00', plain: String.raw`\u0000 stays text` },
  });
  const evt = build.event('charge.succeeded', charge, { created: 1_700_000_000 });
  await expect(apply(evt)).resolves.toBe('applied');
  const [row] = await t.service.dataSource.query('SELECT data FROM stripe_objects WHERE stripe_id = $1', [charge.id]);
  expect(row.data).toMatchObject({
    description: 'a\uFFFDb \uFFFD c',
    metadata: { 'k\uFFFD': 'v\uFFFD', plain: String.raw`\u0000 stays text` },
  });
});
