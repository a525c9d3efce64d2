/**
 * The operator console over HTTP against the real service: the overview, search, the events a
 * customer's page reads (processed_events now records customer and source), the guard's paths,
 * the cross-site rule for the console and Bull Board, and Bull Board's forbidden routes.
 */
import { http } from '../../stand-in/http-client';
import * as build from '../../stand-in/events';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadOverview } from '../../src/admin/overview-model';
import { waitFor } from '../../src/lib/wait';
import { TEST_REDIS_URL } from '../support/redis';
import { adminEnv, basicAuth, type ConsoleStory, seedConsoleStory } from '../support/console-story';
import { startTestService, type TestService } from '../support/service';

let t: TestService;
let story: ConsoleStory;
beforeAll(async () => {
  t = await startTestService(adminEnv);
  story = await seedConsoleStory(t);
}, 60_000);
afterAll(async () => {
  await t.stop();
});

const get = (path: string, headers: Record<string, string> = basicAuth()) =>
  http('GET', `${t.url}${path}`, { headers });
const post = (path: string, headers: Record<string, string> = {}, method = 'POST', body?: string) =>
  http(method, `${t.url}${path}`, { headers: { ...basicAuth(), ...headers }, body });

/** A Stripe event job that fails for good (a malformed customer), for the board's retry. */
async function failedJob(): Promise<string> {
  const bad = build.event('customer.updated', { ...build.customer(), email: 42 });
  const queue = t.service.eventQueues!.partitions[0];
  await queue.add(bad.type, { event: bad, source: 'replay' }, { jobId: bad.id });
  for (let i = 0; i < 200 && (await queue.getJobState(bad.id)) !== 'failed'; i++)
    await new Promise((r) => setTimeout(r, 25));
  return bad.id;
}

test('the overview: health, each queue with its counts, a link into Bull Board per failed count', async () => {
  const jobId = await failedJob();
  const res = await get('/admin');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  expect(res.headers['x-frame-options']).toBe('DENY');
  for (const text of ['PostgreSQL', 'Redis', 'stripe-events', 'usage-drain', 'maintenance', 'invoice.payment_failed'])
    expect(res.text).toContain(text);
  expect(res.text).toContain('href="/admin/queues/queue/stripe-events?status=failed"');
  await t.service.eventQueues!.partitions[0].remove(jobId);
  const css = await get('/admin/console.css');
  expect(css.status).toBe(200);
  expect(css.headers['content-type']).toMatch(/^text\/css/);
});

test('search: customer, subscription and invoice ids and emails redirect to the one match', async () => {
  const page = `/admin/customers/${story.lockedOut.customer}`;
  for (const q of [
    story.lockedOut.customer,
    story.lockedOut.subscription,
    story.lockedOut.failedInvoice,
    'ADA@example.COM',
  ]) {
    const res = await get(`/admin/customers?q=${encodeURIComponent(q)}`);
    expect([res.status, res.headers.location]).toEqual([302, page]);
  }
  // An id the mirror lacks still has a page (which offers a resync).
  const unknown = await get('/admin/customers?q=cus_NotMirrored1');
  expect(unknown.headers.location).toBe('/admin/customers/cus_NotMirrored1');
  const none = await get('/admin/customers?q=nobody%40example.com');
  expect([none.status, none.text.includes('No match')]).toEqual([200, true]);
  const odd = await get(`/admin/customers?q=${encodeURIComponent('<script>x</script>')}`);
  expect(odd.status).toBe(200);
  expect(odd.text).not.toContain('<script>x');
  expect((await get('/admin/customers/not-a-customer')).status).toBe(400);
});

test("processed_events records each event's customer and source, which the page lists", async () => {
  const rows = (await t.service.dataSource.query(
    'SELECT type, source FROM processed_events WHERE stripe_customer_id = $1 ORDER BY event_created',
    [story.lockedOut.customer],
  )) as Array<{ type: string; source: string }>;
  expect(rows.map((r) => r.type)).toEqual(expect.arrayContaining(['customer.created', 'invoice.payment_failed']));
  expect(new Set(rows.map((r) => r.source))).toEqual(new Set(['webhook']));
  const replayed = build.event('customer.updated', {
    ...build.customer({ id: story.stale.customer }),
    name: 'G. Hopper',
  });
  const queue = t.service.eventQueues!.partitions[0];
  await queue.add(replayed.type, { event: replayed, source: 'replay' }, { jobId: replayed.id });
  await waitFor(async () => (await queue.getJobState(replayed.id)) === 'completed', 15_000, 'the replayed event');
  const page = await get(`/admin/customers/${story.stale.customer}`);
  expect(page.text).toMatch(new RegExp(`${replayed.id}[\\s\\S]*customer.updated[\\s\\S]*replay`));
});

test('every spelling of /admin needs the credentials', async () => {
  for (const path of ['/admin', '/ADMIN', `/Admin/customers/${story.lockedOut.customer}`, '/admin/console.css'])
    expect((await get(path, {})).status).toBe(401);
});

test('writes from another site are refused with 403 and change nothing; from the console or a tool they pass', async () => {
  const resync = `/admin/customers/${story.hostile.customer}/resync`;
  const retrieves = () =>
    t.standIn.countRequests({ method: 'GET', pathPrefix: `/v1/customers/${story.hostile.customer}` });
  const crossSite: Array<Record<string, string>> = [
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site' },
    { origin: 'https://evil.example' },
    { origin: 'null' },
  ];
  for (const headers of crossSite) {
    const res = await post(resync, headers);
    expect([res.status, res.text]).toEqual([403, expect.stringContaining('cross-site')]);
  }
  expect(retrieves()).toBe(0);
  const fromConsole = await post(resync, { 'sec-fetch-site': 'same-origin', origin: t.url });
  expect(fromConsole.status).toBe(200);
  expect(fromConsole.text).toContain('Resynced from Stripe');
  expect((await post(resync)).status).toBe(200);
  // Two resyncs in one second: the second is a same-second tie, refetched as for any event.
  expect(retrieves()).toBeGreaterThanOrEqual(2);
});

test('Bull Board: retries follow the cross-site rule; adding and editing jobs is refused for everyone', async () => {
  const queue = t.service.eventQueues!.partitions[0];
  const jobId = await failedJob();
  const retry = `/admin/queues/api/queues/stripe-events/${jobId}/retry`;
  expect((await post(retry, { origin: 'https://evil.example' }, 'PUT')).status).toBe(403);
  expect(await queue.getJobState(jobId)).toBe('failed');
  const before = await queue.getJobCounts();
  const json = { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' };
  const forged = JSON.stringify({ name: 'customer.updated', data: { event: { id: 'evt_forged' } } });
  for (const path of ['stripe-events/add', 'stripe-events/ADD', 'stripe-events/add/', 'stripe-events/%61dd'])
    expect((await post(`/admin/queues/api/queues/${path}`, json, 'POST', forged)).status).toBe(403);
  const edit = await post(`/admin/queues/api/queues/stripe-events/${jobId}/update-data`, json, 'PATCH', forged);
  expect(edit.status).toBe(403);
  expect(await queue.getJobCounts()).toEqual(before);
  expect((await queue.getJob(jobId))!.data.event).not.toEqual({ id: 'evt_forged' });
  expect((await post(retry, { 'sec-fetch-site': 'same-origin' }, 'PUT')).status).toBe(204);
});

test("a queue's oldest waiting job is the one added first; a queue nobody works shows its backlog", async () => {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('console-test-backlog', { connection: redis, prefix: t.prefix });
  try {
    const first = await queue.add('a', {});
    await new Promise((r) => setTimeout(r, 20));
    await queue.add('b', {});
    const deps = { dataSource: t.service.dataSource, redis, queues: [queue] };
    const overview = await loadOverview(deps);
    expect(overview.queues).toEqual({
      ok: true,
      value: [expect.objectContaining({ waiting: 2, oldestWaitingAt: first.timestamp, kind: 'other' })],
    });
    expect(overview.redis.ok && overview.postgres.ok).toBe(true);
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  }
});
