/**
 * Regression (chaos scenario 7): @koa/router matches route paths case-insensitively but its
 * prefix-wide `router.use` middleware case-sensitively, so `GET /V1/customers/…/access` reached
 * the handler without the bearer check and answered 200. Every spelling of /v1 needs the token.
 */
import { http } from '../../stand-in/http-client';
import { API_KEY, startTestService, TestService } from '../support/service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService({ ROLE: 'api' });
});
afterAll(async () => {
  await t.stop();
});

const paths = [
  '/V1/customers/cus_1/access',
  '/v1/customers/cus_1/access',
  '/V1/Customers/cus_1/Access',
  '/v1/customers/cus_1/access/',
  '/V1/usage',
];

test.each(paths)('GET/POST %s without a token → 401', async (path) => {
  for (const method of ['GET', 'POST']) {
    const res = await http(method, `${t.url}${path}`, {
      headers: { 'content-type': 'application/json' },
      body: method === 'POST' ? '{}' : undefined,
    });
    expect({ method, status: res.status }).toEqual({ method, status: 401 });
  }
});

test('with the token the usual spelling still works', async () => {
  const res = await http('GET', `${t.url}/v1/customers/cus_1/access`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  expect(res.status).toBe(200);
});
