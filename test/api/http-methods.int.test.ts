/**
 * Regression (chaos scenario 7): a method no route serves used to get Koa Router's 501, an
 * undocumented 5xx that any scanner could produce. It is the client's mistake: 405 with Allow.
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

test.each([
  ['TRACE', '/healthz'],
  ['TRACE', '/webhooks/stripe'],
  ['TRACE', '/v1/customers/cus_1/access'],
  ['PROPFIND', '/'],
])('%s %s → 405 with Allow, never a 5xx', async (method, path) => {
  const res = await http(method, `${t.url}${path}`);
  expect(res.status).toBe(405);
  expect(res.headers.allow).toContain('GET');
});

test('the served methods are unaffected', async () => {
  expect((await http('GET', `${t.url}/healthz`)).status).toBe(200);
  expect((await http('OPTIONS', `${t.url}/webhooks/stripe`)).status).toBe(200);
  expect((await http('GET', `${t.url}/v1/customers/cus_1/access`)).status).toBe(401);
});

test("the access route, answered ahead of the router, keeps the router's answers to other methods", async () => {
  const headers = { authorization: `Bearer ${API_KEY}` };
  const post = await http('POST', `${t.url}/v1/customers/cus_1/access`, { headers });
  expect([post.status, post.headers.allow]).toEqual([405, 'HEAD, GET']);
  const options = await http('OPTIONS', `${t.url}/v1/customers/cus_1/access`, { headers });
  expect([options.status, options.headers.allow]).toEqual([200, 'HEAD, GET']);
  expect((await http('HEAD', `${t.url}/v1/customers/cus_1/access`, { headers })).status).toBe(200);
  expect((await http('GET', `${t.url}/V1/Customers/cus_1/Access/`, { headers })).json).toMatchObject({
    customer: 'cus_1',
    access: false,
  });
  expect((await http('GET', `${t.url}/v1/customers/not_a_customer/access`, { headers })).status).toBe(400);
});
