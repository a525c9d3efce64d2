/** Hostile calls of the other routes: /v1 without or with credentials, /admin, open routes, raw and truncated bytes. */
import { CHAOS_ADMIN, CHAOS_API_KEY } from '../stack';
import { hex, HostileRequest, json, junkString, now, pick, Rng } from './shapes';

export function v1(rng: Rng): HostileRequest {
  const auths: Array<Record<string, string>> = [
    {},
    { authorization: `Bearer ${CHAOS_API_KEY}x` },
    { authorization: 'Bearer' },
    { authorization: `Basic ${Buffer.from(`x:${CHAOS_API_KEY}`).toString('base64')}` },
    { authorization: `Bearer ${CHAOS_API_KEY.slice(0, -1)}` },
    { authorization: `Bearer ${encodeURIComponent(junkString(rng))}` },
    { 'x-api-key': CHAOS_API_KEY },
  ];
  const id = pick(rng, [
    'cus_123',
    `cus_${hex(rng, 14)}`,
    '..',
    '%2e%2e',
    'cus_%00',
    encodeURIComponent(junkString(rng)),
    'x'.repeat(5000),
    "cus_1'--",
  ]);
  const paths = [
    `/v1/customers/${id}/access`,
    `/v1/customers/${id}/portal-sessions`,
    '/v1/usage',
    '/v1',
    '/v1/',
    `/V1/customers/${id}/access`,
    `/v1//customers/${id}/access`,
    `/v1/customers/${id}/access/`,
    `/v1/customers/${id}%2faccess`,
    '/v1/usage?events=1',
    `/v1/customers/${id}/access?token=${CHAOS_API_KEY}`,
  ];
  const path = pick(rng, paths);
  const method = pick(rng, ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
  return {
    kind: `v1 ${method} without credentials`,
    method,
    path,
    headers: { 'content-type': 'application/json', ...pick(rng, auths) },
    body: method === 'GET' ? Buffer.alloc(0) : usageBody(rng),
    protectedRoute: true,
  };
}

/** Usage bodies that are always invalid (each has at least one bad field), random otherwise. */
function usageBody(rng: Rng): Buffer {
  const good = { customer: `cus_${hex(rng, 10)}`, meter: 'api_calls', value: 1 };
  const bad: unknown[] = [
    { ...good, value: -1 },
    { ...good, value: 1.5 },
    { ...good, value: '1' },
    { ...good, value: 2 ** 53 },
    { ...good, customer: junkString(rng) },
    { ...good, meter: 'a|b' },
    { ...good, meter: '' },
    { ...good, timestamp: now() + 3600 },
    { ...good, timestamp: now() - 40 * 86400 },
    { ...good, value: null },
    { events: [good, { ...good, value: -5 }] },
    { events: Array.from({ length: 1001 }, () => good) },
    { events: 'all' },
    [good],
    'usage',
    null,
  ];
  if (rng() < 0.1) return Buffer.from(`{"customer":"cus_1","meter":"api_calls","value":${'9'.repeat(400)}`);
  return json(pick(rng, bad));
}

/** With the valid token: bad input must be 400 and record nothing. */
export function v1Authorized(rng: Rng): HostileRequest {
  const headers = { authorization: `Bearer ${CHAOS_API_KEY}`, 'content-type': 'application/json' };
  const portalBodies = [
    {},
    { return_url: 'javascript:alert(1)' },
    { return_url: 'https://x.example', flow: 'steal' },
    { return_url: 42 },
    { return_url: 'https://x.example', flow: 'subscription_update_confirm' },
  ];
  const kinds: HostileRequest[] = [
    {
      kind: 'v1 usage bad body',
      method: 'POST',
      path: '/v1/usage',
      headers,
      body: usageBody(rng),
      protectedRoute: false,
    },
    {
      kind: 'v1 usage not json',
      method: 'POST',
      path: '/v1/usage',
      headers,
      body: Buffer.from(junkString(rng)),
      protectedRoute: false,
    },
    {
      kind: 'v1 access odd id',
      method: 'GET',
      path: `/v1/customers/${encodeURIComponent(junkString(rng))}/access`,
      headers,
      body: Buffer.alloc(0),
      protectedRoute: false,
    },
    {
      kind: 'v1 portal bad body',
      method: 'POST',
      path: `/v1/customers/cus_${hex(rng, 10)}/portal-sessions`,
      headers,
      body: json(pick(rng, portalBodies)),
      protectedRoute: false,
    },
  ];
  return pick(rng, kinds);
}

export function admin(rng: Rng): HostileRequest {
  const creds: Array<Record<string, string>> = [
    {},
    { authorization: `Basic ${Buffer.from(`${CHAOS_ADMIN.user}:wrong`).toString('base64')}` },
    { authorization: `Basic ${Buffer.from(`${CHAOS_ADMIN.user}:`).toString('base64')}` },
    { authorization: `Basic ${Buffer.from(`:${CHAOS_ADMIN.password}`).toString('base64')}` },
    { authorization: 'Basic !!!' },
    { authorization: `Bearer ${CHAOS_API_KEY}` },
    { authorization: `Basic ${Buffer.from(`${CHAOS_ADMIN.user}:${CHAOS_ADMIN.password}x`).toString('base64')}` },
  ];
  const path = pick(rng, [
    '/admin/queues',
    '/admin/queues/',
    '/admin/queues/api/queues',
    '/admin/queues/api/queues/stripe-events/retry/failed',
    '/ADMIN/queues',
    '/Admin/Queues/api/queues',
    '/admin//queues',
    '/admin/queues/../queues/api/queues',
    '/admin/%71ueues',
    '/admin/queues%2f..%2fapi/queues',
    '/admin/queues/static/..%2f..%2fpackage.json',
    '/admin/queues?x=../../',
    '//admin/queues/api/queues',
    '/admin',
    '/ADMIN/customers?q=a%40b.c',
    '/admin/customers/cus_Chaos0001',
    '/admin/customers/cus_Chaos0001/resync',
  ]);
  const method = pick(rng, ['GET', 'GET', 'PUT', 'POST', 'DELETE']);
  return {
    kind: `admin ${method} without credentials`,
    method,
    path,
    headers: pick(rng, creds),
    body: Buffer.alloc(0),
    protectedRoute: true,
  };
}

export function rawBytes(rng: Rng): HostileRequest {
  const host = 'Host: 127.0.0.1\r\n';
  const raws = [
    `GET /v1/../admin/queues/api/queues HTTP/1.1\r\n${host}\r\n`,
    `GET /v1/customers/cus_1/../../admin/queues HTTP/1.1\r\n${host}\r\n`,
    `GET /${junkString(rng)} HTTP/1.1\r\n${host}\r\n`,
    `FOO /webhooks/stripe HTTP/1.1\r\n${host}\r\n`,
    'GET / HTTP/0.9\r\n\r\n',
    '\x00\x01\x02garbage\r\n\r\n',
    `GET /healthz HTTP/1.1\r\n${host}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    `POST /webhooks/stripe HTTP/1.1\r\n${host}Content-Length: -1\r\n\r\n{}`,
    `POST /webhooks/stripe HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    `GET /admin/queues HTTP/1.1\r\n${host}Authorization: Basic ${Buffer.from(`${CHAOS_ADMIN.user}:x`).toString('base64')}\r\nAuthorization: Basic ${Buffer.from(`${CHAOS_ADMIN.user}:y`).toString('base64')}\r\n\r\n`,
  ];
  const text = pick(rng, raws);
  return {
    kind: 'raw bytes',
    method: 'RAW',
    path: text.split(' ')[1] ?? '?',
    headers: {},
    body: Buffer.alloc(0),
    raw: Buffer.from(text, 'latin1'),
    protectedRoute: /admin|v1/.test(text),
  };
}

export function truncatedUpload(rng: Rng): HostileRequest {
  const path = pick(rng, ['/webhooks/stripe', '/v1/usage']);
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${CHAOS_API_KEY}\r\nStripe-Signature: t=${now()},v1=${hex(rng, 64)}\r\nContent-Length: 50000\r\n\r\n{"id":"evt_`;
  return {
    kind: 'truncated upload (client hangs up)',
    method: 'RAW',
    path,
    headers: {},
    body: Buffer.alloc(0),
    raw: Buffer.from(head),
    hangUp: true,
    protectedRoute: false,
  };
}

export function open(rng: Rng): HostileRequest {
  const path = pick(rng, [
    '/healthz',
    '/readyz',
    '/metrics',
    `/healthz?${encodeURIComponent(junkString(rng))}`,
    '/',
    '/favicon.ico',
    `/${encodeURIComponent(junkString(rng))}`,
    '/..%2f..%2fetc/passwd',
    '/webhooks/stripe',
  ]);
  return {
    kind: 'open routes, any method',
    method: pick(rng, ['GET', 'HEAD', 'OPTIONS', 'POST', 'DELETE', 'TRACE']),
    path,
    headers: { 'x-forwarded-for': encodeURIComponent(junkString(rng)).slice(0, 80), 'x-forwarded-proto': 'gopher' },
    body: Buffer.alloc(0),
    protectedRoute: false,
  };
}
