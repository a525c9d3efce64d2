/** Bull Board at /admin/queues: basic auth, absent without credentials, read-only mode (the console: test/admin/). */
import { http } from '../../stand-in/http-client';
import { startTestService, TestService } from '../support/service';
import { customer, event } from '../../stand-in/events';

const USER = 'ops';
const PASSWORD = 'correct horse battery staple';
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('with ADMIN_USER and ADMIN_PASSWORD', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ ADMIN_USER: USER, ADMIN_PASSWORD: PASSWORD });
  });
  afterAll(async () => {
    await t.stop();
  });

  test('401 without credentials, with a wrong password and with a wrong user', async () => {
    for (const headers of [{}, basic(USER, 'wrong'), basic('root', PASSWORD), { authorization: 'Basic !!!' }]) {
      const res = await http('GET', `${t.url}/admin/queues`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
    }
    const api = await http('GET', `${t.url}/admin/queues/api/queues`);
    expect(api.status).toBe(401);
  });

  test('200 with the right credentials: the page and every queue', async () => {
    const page = await http('GET', `${t.url}/admin/queues`, { headers: basic(USER, PASSWORD) });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
    const api = await http('GET', `${t.url}/admin/queues/api/queues`, { headers: basic(USER, PASSWORD) });
    expect(api.status).toBe(200);
    const names = (api.json as { queues: Array<{ name: string; readOnlyMode: boolean }> }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['stripe-events', 'maintenance']));
  });

  test('an operator can retry a failed job from the board', async () => {
    // An event whose object is malformed fails permanently (no retries).
    const bad = event('customer.updated', { ...customer(), email: 42 });
    const queue = t.service.eventQueues!.partitions[0];
    await queue.add(bad.type, { event: bad, source: 'replay' }, { jobId: bad.id });
    for (let i = 0; i < 200 && (await queue.getJobState(bad.id)) !== 'failed'; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(await queue.getJobState(bad.id)).toBe('failed');
    const job = await http('GET', `${t.url}/admin/queues/api/queues/stripe-events/${bad.id}`, {
      headers: basic(USER, PASSWORD),
    });
    expect(job.status).toBe(200);
    expect(JSON.stringify(job.json)).toContain('malformed customer');
    const retry = await http('PUT', `${t.url}/admin/queues/api/queues/stripe-events/${bad.id}/retry`, {
      headers: basic(USER, PASSWORD),
    });
    expect(retry.status).toBe(204);
  });

  test('other routes need no board credentials', async () => {
    expect((await http('GET', `${t.url}/healthz`)).status).toBe(200);
  });
});

test('not mounted when ADMIN_USER/ADMIN_PASSWORD are unset: 404', async () => {
  const t = await startTestService();
  try {
    expect((await http('GET', `${t.url}/admin/queues`)).status).toBe(404);
    expect((await http('GET', `${t.url}/admin`, { headers: basic(USER, PASSWORD) })).status).toBe(404);
    expect((await http('GET', `${t.url}/admin/queues/api/queues`, { headers: basic(USER, PASSWORD) })).status).toBe(
      404,
    );
  } finally {
    await t.stop();
  }
});

test('ADMIN_READ_ONLY=true: the board reads but refuses writes with 403', async () => {
  const t = await startTestService({ ADMIN_USER: USER, ADMIN_PASSWORD: PASSWORD, ADMIN_READ_ONLY: 'true' });
  try {
    const list = await http('GET', `${t.url}/admin/queues/api/queues`, { headers: basic(USER, PASSWORD) });
    expect(list.status).toBe(200);
    expect((list.json as { queues: Array<{ readOnlyMode: boolean }> }).queues.every((q) => q.readOnlyMode)).toBe(true);
    for (const path of ['stripe-events/retry/failed', 'stripe-events/clean/completed', 'stripe-events/pause']) {
      const res = await http('PUT', `${t.url}/admin/queues/api/queues/${path}`, { headers: basic(USER, PASSWORD) });
      expect(res.status).toBe(403);
    }
  } finally {
    await t.stop();
  }
});
