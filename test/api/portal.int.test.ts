/** POST /v1/customers/:id/portal-sessions against the Stripe stand-in. */
import { http } from '../../stand-in/http-client';
import { startTestService, TestService } from '../support/service';
import { customer, event, subscription } from '../../stand-in/events';
import { waitFor } from '../../src/lib/wait';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  t.standIn.portalSessions.length = 0;
  t.standIn.clearFaults();
});

async function mirrored(c: object & { id: string }, type = 'customer.created'): Promise<void> {
  expect((await t.deliver(event(type, c))).status).toBe(200);
}

test('201 {url} and the stand-in receives customer and return_url', async () => {
  const c = customer();
  t.standIn.put(c);
  const res = await t.v1('POST', `/customers/${c.id}/portal-sessions`, {
    return_url: 'https://app.example.com/account',
  });
  expect(res.status).toBe(201);
  expect(res.json).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/p\/session\/bps_/) });
  expect(t.standIn.portalSessions).toEqual([{ customer: c.id, return_url: 'https://app.example.com/account' }]);
});

test('flow payment_method_update becomes flow_data with a redirect back', async () => {
  const c = customer();
  t.standIn.put(c);
  const res = await t.v1('POST', `/customers/${c.id}/portal-sessions`, {
    return_url: 'http://localhost:8080/back',
    flow: 'payment_method_update',
  });
  expect(res.status).toBe(201);
  expect(t.standIn.portalSessions[0].flow_data).toEqual({
    type: 'payment_method_update',
    after_completion: { type: 'redirect', redirect: { return_url: 'http://localhost:8080/back' } },
  });
});

test("subscription flows use the customer's live subscription from the mirror", async () => {
  const c = customer();
  const s = subscription({ customer: c.id });
  t.standIn.put(c);
  await mirrored(c);
  await mirrored(s, 'customer.subscription.created');
  await waitFor(
    async () => (await t.service.dataSource.query('SELECT 1 FROM subscriptions WHERE stripe_id = $1', [s.id])).length,
    10_000,
    'subscription row',
  );
  const res = await t.v1('POST', `/customers/${c.id}/portal-sessions`, {
    return_url: 'https://app.example.com',
    flow: 'subscription_cancel',
  });
  expect(res.status).toBe(201);
  expect(t.standIn.portalSessions[0].flow_data).toMatchObject({
    type: 'subscription_cancel',
    subscription_cancel: { subscription: s.id },
  });

  const confirm = await t.v1('POST', `/customers/${c.id}/portal-sessions`, {
    return_url: 'https://app.example.com',
    flow: 'subscription_update_confirm',
    items: [{ id: 'si_123', price: 'price_2', quantity: 2 }],
  });
  expect(confirm.status).toBe(201);
  expect(t.standIn.portalSessions[1].flow_data).toMatchObject({
    type: 'subscription_update_confirm',
    subscription_update_confirm: { subscription: s.id, items: [{ id: 'si_123', price: 'price_2', quantity: '2' }] },
  });
});

test.each([
  [{}, 'return_url'],
  [{ return_url: 'not a url' }, 'return_url'],
  [{ return_url: 'ftp://example.com/x' }, 'return_url'],
  [{ return_url: 'javascript:alert(1)' }, 'return_url'],
  [{ return_url: 'https://example.com', flow: 'teleport' }, 'flow'],
  [{ return_url: 'https://example.com', flow: 'subscription_update_confirm', subscription: 'sub_1' }, 'items'],
])('400 for %j (names %s) and nothing sent to Stripe', async (body, field) => {
  const c = customer();
  t.standIn.put(c);
  const res = await t.v1('POST', `/customers/${c.id}/portal-sessions`, body);
  expect(res.status).toBe(400);
  expect((res.json as { error: string }).error).toMatch(new RegExp(`^${field}`));
  expect(t.standIn.portalSessions).toHaveLength(0);
});

test('400 for a subscription flow when the customer has no subscription', async () => {
  const c = customer();
  t.standIn.put(c);
  const res = await t.v1('POST', `/customers/${c.id}/portal-sessions`, {
    return_url: 'https://example.com',
    flow: 'subscription_update',
  });
  expect(res.status).toBe(400);
  expect((res.json as { error: string }).error).toMatch(/no live subscription/);
});

test('400 for a malformed customer id or body', async () => {
  expect((await t.v1('POST', '/customers/nope/portal-sessions', { return_url: 'https://example.com' })).status).toBe(
    400,
  );
  const raw = await http('POST', `${t.url}/v1/customers/cus_abc/portal-sessions`, {
    headers: { authorization: 'Bearer test-api-key-0123456789', 'content-type': 'application/json' },
    body: '{"return_url":',
  });
  expect(raw.status).toBe(400);
});

test('404 for a customer Stripe does not know (resource_missing)', async () => {
  const res = await t.v1('POST', '/customers/cus_doesnotexist1/portal-sessions', { return_url: 'https://example.com' });
  expect(res.status).toBe(404);
  expect(res.json).toEqual({ error: 'unknown customer cus_doesnotexist1' });
});

test('404 for a customer the mirror holds as deleted, without asking Stripe', async () => {
  const c = customer();
  t.standIn.put(c);
  await mirrored(c);
  await mirrored({ ...c, deleted: true } as never, 'customer.deleted');
  await waitFor(
    async () =>
      (await t.service.dataSource.query('SELECT 1 FROM customers WHERE stripe_id = $1 AND deleted', [c.id])).length,
    10_000,
    'tombstone',
  );
  t.standIn.resetRequests();
  const res = await t.v1('POST', `/customers/${c.id}/portal-sessions`, { return_url: 'https://example.com' });
  expect(res.status).toBe(404);
  expect(t.standIn.countRequests({ pathPrefix: '/v1/billing_portal' })).toBe(0);
});

test("502 with Stripe's message and no stack when Stripe fails", async () => {
  const c = customer();
  t.standIn.put(c);
  t.standIn.setFaults({ rate: 1, statuses: [429], paths: /billing_portal/ });
  const res = await t.v1('POST', `/customers/${c.id}/portal-sessions`, { return_url: 'https://example.com' });
  expect(res.status).toBe(502);
  expect(res.json).toEqual({ error: expect.stringMatching(/^Stripe: Request rate limit exceeded/) });
  expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
});

test('401 without the bearer token, and nothing sent to Stripe', async () => {
  const res = await http('POST', `${t.url}/v1/customers/cus_abc/portal-sessions`, {
    body: '{"return_url":"https://example.com"}',
  });
  expect(res.status).toBe(401);
  expect(t.standIn.portalSessions).toHaveLength(0);
});
