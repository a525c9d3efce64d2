/**
 * The api's access cache and the change feed that keeps it right, on real Redis and PostgreSQL:
 * a committed change reaches the access API before its notification does; the feed's reader
 * empties the cache when it skipped entries or lost Redis; a worker that died between COMMIT
 * and the feed is healed by the redelivery (a duplicate still names its customer) and by the
 * outbox relay.
 */
import { Redis } from 'ioredis';
import { AccessCache } from '../../src/access/cache';
import { FEED_BLOCK_MS, feedKeys, followAccessChanges, publishAccessInvalidation } from '../../src/access/change-feed';
import { EventBatcher } from '../../src/events/batcher';
import { createLogger } from '../../src/logger';
import { connectRedis, createBlockingReaderRedis } from '../../src/runtime/redis';
import { createStripeClient } from '../../src/stripe';
import * as build from '../../stand-in/events';
import { waitFor } from '../../src/lib/wait';
import { seededRandom } from '../../stand-in/util';
import { Receiver } from '../support/receiver';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../support/redis';
import { settle, startTestService, TestService } from '../support/service';

const SECRET = 'access-cache-secret-0123456789';
const log = createLogger('silent');
const T0 = Math.floor(Date.now() / 1000) - 600;

describe('the change feed', () => {
  const prefix = testPrefix();
  let producer: Redis;
  let reader: Redis;
  let cache: AccessCache<string>;
  let stop: () => Promise<void>;
  let readerId: string;
  let loads = 0;
  const get = (customer: string) => cache.get(customer, 'state', async () => `${customer}#${++loads}`);

  beforeAll(async () => {
    producer = new Redis(TEST_REDIS_URL);
    reader = createBlockingReaderRedis({ url: TEST_REDIS_URL }, FEED_BLOCK_MS) as Redis;
    await connectRedis(reader);
    readerId = String(await reader.client('ID'));
    cache = new AccessCache<string>({ ttlMs: 60_000, maxEntries: 1000 });
    stop = followAccessChanges(reader, prefix, cache, log);
    await waitFor(async () => cache.isLive, 5000, 'the cache to go live');
  });
  afterAll(async () => {
    await stop();
    await producer.quit();
    await deleteKeys(prefix);
  });

  test('a published customer is dropped from the cache within moments; others stay', async () => {
    const a = await get('cus_FeedA');
    const b = await get('cus_FeedB');
    expect(await get('cus_FeedA')).toBe(a);
    await publishAccessInvalidation(producer, prefix, ['cus_FeedA']);
    await waitFor(async () => (await get('cus_FeedA')) !== a, 2000, 'cus_FeedA to be read again');
    expect(await get('cus_FeedB')).toBe(b);
  });

  test('a gap in the numbering (Redis lost the feed) empties the whole cache', async () => {
    const a = await get('cus_FeedA');
    const b = await get('cus_FeedB');
    const { sequence, stream } = feedKeys(prefix);
    await producer.del(sequence, stream);
    await publishAccessInvalidation(producer, prefix, ['cus_Other']);
    // Neither customer was named, yet both are read again: the gap dropped every entry.
    const again = await waitFor(
      async () => ((await get('cus_FeedB')) !== b ? get('cus_FeedA') : undefined),
      2000,
      'every customer to be read again',
    );
    expect(again).not.toBe(a);
  });

  test('a lost connection turns the cache off and empties it; it comes back on by itself', async () => {
    const b = await get('cus_FeedB');
    await producer.client('KILL', 'ID', readerId);
    await waitFor(async () => !cache.isLive, 3000, 'the cache to go off');
    await waitFor(async () => cache.isLive, 10_000, 'the cache to come back');
    expect(await get('cus_FeedB')).not.toBe(b);
  });
});

describe('through the service', () => {
  let receiver: Receiver;
  let t: TestService;
  beforeAll(async () => {
    receiver = await Receiver.start(seededRandom(3));
    t = await startTestService({
      ACCESS_WEBHOOK_URL: receiver.url,
      ACCESS_WEBHOOK_SECRET: SECRET,
      ACCESS_SWEEP_INTERVAL_MS: '1000',
    });
  });
  afterAll(async () => {
    await t.stop();
    await receiver.close();
  });

  const accessOf = async (customer: string) =>
    (await t.v1('GET', `/customers/${customer}/access`)).json as { access: boolean; reason: string };
  const sub = (customer: string) => build.subscription({ id: `sub_${customer.slice(4)}`, customer, status: 'active' });
  const invoice = (customer: string, paid: boolean) =>
    build.invoice({
      id: `in_${customer.slice(4)}`,
      customer,
      subscription: `sub_${customer.slice(4)}`,
      status: paid ? 'paid' : 'open',
      attempted: true,
      amount_due: 1000,
      amount_paid: paid ? 1000 : 0,
      amount_remaining: paid ? 0 : 1000,
    });

  /** A customer with an active subscription, its access granted and (once asked) cached. */
  async function grantAccess(customer: string): Promise<void> {
    for (const event of [
      build.event('customer.created', build.customer({ id: customer }), { created: T0 }),
      build.event('customer.subscription.created', sub(customer), { created: T0 + 1 }),
    ])
      await t.deliver(event);
    await settle(t);
    await waitFor(async () => (await accessOf(customer)).access, 10_000, 'access granted');
  }

  /** The worker's batcher committing with no feed and no notification: what a crash after COMMIT leaves. */
  const commitWithoutFeed = (event: object) =>
    new EventBatcher(
      {
        dataSource: t.service.dataSource,
        log,
        stripe: createStripeClient({ secretKey: 'sk_test_x', apiUrl: t.standIn.url }),
        access: { graceSeconds: 0, notify: true },
      },
      { maxBatch: 50, maxInFlight: 1 },
    ).apply(JSON.parse(JSON.stringify(event)));

  test('when a notification arrives, the access API (cached) already answers what it says', async () => {
    const customer = 'cus_CacheOrder';
    const seen: Array<{ notified: boolean; answered: boolean }> = [];
    receiver.onDelivery = async (body) => {
      const note = JSON.parse(body) as { data: { customer: string; access: boolean } };
      if (note.data.customer === customer)
        seen.push({ notified: note.data.access, answered: (await accessOf(customer)).access });
    };
    const steps = [
      build.event('customer.created', build.customer({ id: customer }), { created: T0 }),
      build.event('customer.subscription.created', sub(customer), { created: T0 + 1 }),
      build.event('invoice.payment_failed', invoice(customer, false), { created: T0 + 10 }),
      build.event('invoice.paid', invoice(customer, true), { created: T0 + 20 }),
    ];
    for (const [n, event] of steps.entries()) {
      // Ask before each step so the answer is cached when the change commits.
      for (let i = 0; i < 3; i++) await accessOf(customer);
      expect((await t.deliver(event)).status).toBe(200);
      await waitFor(async () => seen.length >= [0, 1, 2, 3][n], 20_000, `notification ${n}`);
    }
    receiver.onDelivery = undefined;
    expect(seen).toEqual([
      { notified: true, answered: true },
      { notified: false, answered: false },
      { notified: true, answered: true },
    ]);
  });

  test('a worker that died between COMMIT and the feed: the redelivery, a duplicate, still updates the answer', async () => {
    const customer = 'cus_CacheCrash';
    await grantAccess(customer);
    const failed = build.event('invoice.payment_failed', invoice(customer, false), { created: T0 + 10 });
    expect(await commitWithoutFeed(failed)).toBe('applied');
    // The cache does not know yet (this is what the feed is for)…
    expect((await accessOf(customer)).access).toBe(true);
    // …until Stripe retries the webhook: a duplicate, which still names its customer on the feed.
    expect((await t.deliver(failed)).status).toBe(200);
    await settle(t);
    await waitFor(async () => !(await accessOf(customer)).access, 5000, 'the redelivery to reach the cache');
  });

  test('a change whose notification was never enqueued: the relay names it on the feed before delivering it', async () => {
    const customer = 'cus_CacheRelay';
    let answeredAtDelivery: boolean | undefined;
    receiver.onDelivery = async (body) => {
      const note = JSON.parse(body) as { data: { customer: string; access: boolean } };
      if (note.data.customer === customer && !note.data.access) answeredAtDelivery = (await accessOf(customer)).access;
    };
    await grantAccess(customer);
    await commitWithoutFeed(build.event('invoice.payment_failed', invoice(customer, false), { created: T0 + 10 }));
    await waitFor(async () => answeredAtDelivery !== undefined, 30_000, 'the relayed notification');
    receiver.onDelivery = undefined;
    expect(answeredAtDelivery).toBe(false);
  });
});
