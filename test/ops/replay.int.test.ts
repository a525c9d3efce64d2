/** npm run replay's engine and its scheduler against the stand-in's paginated Events API. */
import type Stripe from 'stripe';
import { createLogger } from '../../src/logger';
import { RateLimiter } from '../../src/lib/rate-limiter';
import { ReplayDeps, runReplay } from '../../src/ops/replay';
import { MAINTENANCE_QUEUE } from '../../src/queues/maintenance-queue';
import { createStripeClient } from '../../src/stripe';
import { waitFor } from '../../src/lib/wait';
import { settle, startTestService, TestService } from '../support/service';
import { customer, event } from '../../stand-in/events';

let t: TestService;
let stripe: Stripe;
const log = createLogger('silent');
const deps = (): ReplayDeps => ({
  stripe,
  queues: t.service.eventQueues!,
  dataSource: t.service.dataSource,
  limiter: new RateLimiter(1000),
  log,
  backoff: { baseDelayMs: 20 },
});
const hourAgo = () => Math.floor(Date.now() / 1000) - 3600;

beforeAll(async () => {
  t = await startTestService();
  stripe = createStripeClient({ secretKey: 'sk_test_replay', apiUrl: t.standIn.url });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  t.standIn.reset();
});

test('enqueues only what the mirror has not applied, across pages, and reports what changed', async () => {
  const delivered = Array.from({ length: 4 }, () => event('customer.created', customer()));
  const missed = Array.from({ length: 8 }, () => event('customer.created', customer()));
  // Kept in stripe_objects like any object with an id; a balance has no id, so nothing is stored.
  const charge = event('charge.succeeded', { id: 'ch_1', object: 'charge', customer: null, amount: 500 });
  const unhandled = event('balance.available', { object: 'balance', available: [] });
  for (const e of delivered) expect((await t.deliver(e)).status).toBe(200);
  await settle(t);
  for (const e of [...delivered, ...missed, charge, unhandled]) t.standIn.addEvent(e as never);

  const report = await runReplay(deps(), { since: hourAgo(), pageSize: 5, waitMs: 10_000 });
  expect(report).toMatchObject({
    pages: 3,
    found: 14,
    handled: 13,
    new: 9,
    changed: 9,
    unchanged: 0,
    failed: 0,
    pending: 0,
  });
  expect(await t.service.dataSource.query("SELECT type FROM stripe_objects WHERE stripe_id = 'ch_1'")).toEqual([
    { type: 'charge' },
  ]);
  const ids = (await t.service.dataSource.query('SELECT stripe_id FROM customers')).map(
    (r: { stripe_id: string }) => r.stripe_id,
  );
  expect(ids).toEqual(expect.arrayContaining(missed.map((e) => (e.data.object as { id: string }).id)));
  const job = await t.service.eventQueues!.getJob(missed[0].id);
  expect(job?.data.source).toBe('replay');

  // Everything is applied now: a second run finds the same events and changes nothing.
  const again = await runReplay(deps(), { since: hourAgo(), pageSize: 5, waitMs: 10_000 });
  expect(again).toMatchObject({ found: 14, new: 0, changed: 0, pending: 0 });
});

test('an event older than the stored state is applied as a no-op (unchanged)', async () => {
  const c = customer();
  const now = Math.floor(Date.now() / 1000);
  expect(
    (await t.deliver(event('customer.updated', { ...c, email: 'new@example.com' }, { created: now }))).status,
  ).toBe(200);
  await settle(t);
  const old = event('customer.created', { ...c, email: 'old@example.com' }, { created: now - 60 });
  t.standIn.addEvent(old as never);
  const report = await runReplay(deps(), { since: hourAgo(), waitMs: 10_000 });
  expect(report).toMatchObject({ found: 1, new: 1, changed: 0, unchanged: 1 });
  const [row] = await t.service.dataSource.query('SELECT email FROM customers WHERE stripe_id = $1', [c.id]);
  expect(row.email).toBe('new@example.com');
});

test('--undelivered-only asks Stripe for delivery_success=false', async () => {
  const ok = event('customer.created', customer());
  const failed = event('customer.created', customer());
  t.standIn.addEvent(ok as never, { delivered: true });
  t.standIn.addEvent(failed as never, { delivered: false });
  const report = await runReplay(deps(), { since: hourAgo(), undeliveredOnly: true, waitMs: 10_000 });
  expect(report).toMatchObject({ found: 1, new: 1, changed: 1 });
  expect(t.standIn.requests.find((r) => r.path === '/v1/events')?.query.delivery_success).toBe('false');
});

test('a 429 from the Events API backs off and retries; since is clamped to 30 days', async () => {
  t.standIn.addEvent(event('customer.created', customer()) as never);
  t.standIn.setFaults({ rate: 1, statuses: [429], paths: /^\/v1\/events/, times: 2 });
  const report = await runReplay(deps(), { since: 0, waitMs: 10_000 });
  expect(report).toMatchObject({ clamped: true, found: 1, new: 1 });
  expect(t.standIn.countRequests({ pathPrefix: '/v1/events' })).toBe(3);
  const gte = Number((t.standIn.requests.at(-1)!.query.created as { gte: string }).gte);
  expect(Math.floor(Date.now() / 1000) - gte).toBeLessThanOrEqual(30 * 24 * 3600);
});

test('the job scheduler runs replay on its own and keeps the report', async () => {
  const s = await startTestService({ REPLAY_INTERVAL_MS: '2000' });
  try {
    const missed = event('customer.created', customer());
    s.standIn.addEvent(missed as never);
    const queue = s.service.queues.find((q) => q.name === MAINTENANCE_QUEUE)!;
    // The first tick may run before the event exists; a later one (every 2 s) finds it.
    const done = await waitFor(
      async () => (await queue.getJobs(['completed'])).find((j) => j.returnvalue?.new === 1),
      15_000,
      'a scheduled replay',
    );
    expect(done?.returnvalue).toMatchObject({ found: 1, new: 1, changed: 1, pending: 0 });
    expect(await queue.getJobSchedulers()).toEqual([
      expect.objectContaining({ key: 'replay-missed-events', every: 2000 }),
    ]);
    const [row] = await s.service.dataSource.query('SELECT stripe_id FROM customers');
    expect(row.stripe_id).toBe((missed.data.object as { id: string }).id);
  } finally {
    await s.stop();
  }
});
