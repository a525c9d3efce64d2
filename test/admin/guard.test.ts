/** The rules of everything under /admin: which writes are refused, and why. */
import { isAdminPath, isCrossSite, isForbiddenBoardRoute, refusalOf } from '../../src/admin/guard';

const HOST = '127.0.0.1:3000';
const write = (headers: { origin?: string; fetchSite?: string } = {}, path = '/admin/customers/cus_A/resync') => ({
  method: 'POST',
  path,
  host: HOST,
  ...headers,
});

test.each([
  ['/admin', true],
  ['/admin/', true],
  ['/admin/customers/cus_A', true],
  ['/ADMIN/customers', true],
  ['/Admin/queues', true],
  ['/administrator', false],
  ['/v1/admin', false],
])('%s is under /admin: %s', (path, under) => expect(isAdminPath(path)).toBe(under));

test.each([
  ['/admin/queues/api/queues/stripe-events/add', true],
  ['/admin/queues/api/queues/stripe-events/ADD', true],
  ['/admin/queues/api/queues/stripe-events/add/', true],
  ['/admin/queues/api/queues/stripe-events/%61dd', true],
  ['/admin/queues/api/queues/%7Bmaintenance%7D/add', true],
  ['/admin/queues/api/queues/access-notifications/acc_cus_A_1/update-data', true],
  ['/admin/queues/api/queues/stripe-events/evt_1/Update-Data', true],
  ['/admin/queues/api/queues/stripe-events/evt_1/retry', false],
  ['/admin/queues/api/queues/stripe-events/evt_1/clean', false],
  ['/admin/queues/api/queues/stripe-events/retry/failed', false],
])('%s is a forbidden board route: %s', (path, forbidden) => expect(isForbiddenBoardRoute(path)).toBe(forbidden));

test.each([
  [{ fetchSite: 'same-origin' }, false],
  [{ fetchSite: 'none' }, false],
  [{ fetchSite: 'same-site' }, true],
  [{ fetchSite: 'cross-site' }, true],
  [{ fetchSite: 'same-origin', origin: 'https://evil.example' }, false],
  [{ origin: `http://${HOST}` }, false],
  [{ origin: 'https://127.0.0.1:3000' }, false],
  [{ origin: 'http://localhost:3000' }, true],
  [{ origin: 'http://127.0.0.1:3001' }, true],
  [{ origin: 'null' }, true],
  [{}, false],
])('headers %j are cross-site: %s', (headers, cross) => expect(isCrossSite({ host: HOST, ...headers })).toBe(cross));

test('reads are always served, whatever their origin and mode', () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS'])
    expect(refusalOf({ method, path: '/admin', host: HOST, fetchSite: 'cross-site' }, true)).toBeNull();
});

test('a write is refused when cross-site, when read-only, and on the forbidden board routes for everyone', () => {
  expect(refusalOf(write({ fetchSite: 'same-origin' }), false)).toBeNull();
  expect(refusalOf(write(), false)).toBeNull();
  expect(refusalOf(write({ fetchSite: 'cross-site' }), false)).toMatch(/cross-site/);
  expect(refusalOf(write({ origin: 'https://evil.example' }), false)).toMatch(/cross-site/);
  expect(refusalOf(write({ fetchSite: 'same-origin' }), true)).toMatch(/read-only/);
  const add = write({ fetchSite: 'same-origin' }, '/admin/queues/api/queues/stripe-events/add');
  expect(refusalOf(add, false)).toMatch(/adding jobs/);
  expect(refusalOf({ ...add, method: 'PUT' }, false)).toMatch(/adding jobs/);
  const retry = write({ fetchSite: 'same-origin' }, '/admin/queues/api/queues/stripe-events/evt_1/retry');
  expect(refusalOf({ ...retry, method: 'PUT' }, false)).toBeNull();
  expect(refusalOf({ ...retry, method: 'PUT' }, true)).toMatch(/read-only/);
});
