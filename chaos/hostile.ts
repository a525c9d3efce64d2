/**
 * Hostile requests for scenario 7: random and mutated requests to every route. Each says what the
 * caller holds (`auth`): `none` means it must never get a 2xx/3xx from a protected route, and
 * nothing it sends may be recorded. Bodies that would be legitimately accepted are never built.
 */
import { customer, event, signWebhook } from '../stand-in/events';
import { CHAOS_ADMIN, CHAOS_API_KEY, CHAOS_WEBHOOK_SECRET } from './stack';

export interface HostileRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Sent over a raw socket: bytes as they are (bad paths, lying lengths, garbage). */
  raw?: Buffer;
  /** Close the socket after sending (truncated upload): no answer is expected. */
  hangUp?: boolean;
  /** A route that needs credentials, called without valid ones. */
  protectedRoute: boolean;
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const hex = (rng: Rng, n: number) => Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join('');
const now = () => Math.floor(Date.now() / 1000);

const UNICODE = ['💳', 'Ω≈ç√', '\u202e', '\u0000', 'ﾟ･✿ヾ', '𝕊𝕥𝕣𝕚𝕡𝕖', '\uFEFF', 'é', '\\u0000', '%00', '../', '<script>', "' OR 1=1 --"];
const junkString = (rng: Rng) => Array.from({ length: 1 + Math.floor(rng() * 6) }, () => pick(rng, UNICODE)).join('');

/** Signed with the real secret but not a Stripe event: must be 400, never enqueued. */
function notAnEvent(rng: Rng): unknown {
  const e = event('customer.created', customer()) as unknown as Record<string, unknown>;
  const broken: Array<() => unknown> = [
    () => [e], () => 42, () => 'evt', () => null, () => ({}), () => ({ ...e, id: 5 }), () => ({ ...e, id: `evt_${junkString(rng)}` }),
    () => ({ ...e, object: 'charge' }), () => ({ ...e, created: 'yesterday' }), () => ({ ...e, created: -1 }), () => JSON.parse(`{"id":"evt_1","object":"event","type":"customer.created","created":1${'0'.repeat(400)},"data":{"object":{"id":"cus_1","object":"customer"}}}`),
    () => ({ ...e, type: '' }), () => ({ ...e, data: null }), () => ({ ...e, data: { object: 'x' } }), () => ({ ...e, data: { object: [7] } }),
    () => ({ ...e, id: undefined }), () => JSON.parse('{"__proto__":{"admin":true},"id":"evt_1"}'),
  ];
  return pick(rng, broken)();
}

function webhook(rng: Rng): HostileRequest {
  const valid = Buffer.from(JSON.stringify(event('customer.created', customer())));
  const other = Buffer.from(JSON.stringify(event('customer.updated', customer())));
  const base = { method: 'POST', path: '/webhooks/stripe', protectedRoute: true };
  const ct = { 'content-type': 'application/json' };
  const kinds: Array<() => Omit<HostileRequest, 'method' | 'path' | 'protectedRoute'>> = [
    () => ({ kind: 'webhook bad signature', headers: { ...ct, 'stripe-signature': `t=${now()},v1=${hex(rng, 64)}` }, body: valid }),
    () => ({ kind: 'webhook replayed signature, new body', headers: { ...ct, 'stripe-signature': signWebhook(valid.toString(), CHAOS_WEBHOOK_SECRET) }, body: other }),
    () => ({ kind: 'webhook stale signature', headers: { ...ct, 'stripe-signature': signWebhook(valid.toString(), CHAOS_WEBHOOK_SECRET, now() - 3600) }, body: valid }),
    () => ({ kind: 'webhook wrong secret', headers: { ...ct, 'stripe-signature': signWebhook(valid.toString(), 'whsec_attacker') }, body: valid }),
    () => ({ kind: 'webhook no signature', headers: ct, body: valid }),
    () => ({ kind: 'webhook garbage signature', headers: { ...ct, 'stripe-signature': encodeURIComponent(junkString(rng)).repeat(1 + Math.floor(rng() * 200)) }, body: valid }),
    () => ({ kind: 'webhook truncated body', headers: { ...ct, 'stripe-signature': signWebhook(valid.toString(), CHAOS_WEBHOOK_SECRET) }, body: valid.subarray(0, Math.floor(rng() * valid.length)) }),
    () => ({ kind: 'webhook huge body', headers: { ...ct, 'stripe-signature': `t=${now()},v1=${hex(rng, 64)}` }, body: Buffer.alloc(1024 * 1024 + 1 + Math.floor(rng() * 512 * 1024), 'a') }),
    () => {
      const body = json(notAnEvent(rng));
      return { kind: 'webhook signed, not an event', headers: { ...ct, 'stripe-signature': signWebhook(body.toString(), CHAOS_WEBHOOK_SECRET) }, body };
    },
    () => {
      const body = Buffer.concat([Buffer.from('{"id":"evt_'), Buffer.from([0xff, 0xfe, 0x00, 0xc3]), Buffer.from('"}')]);
      return { kind: 'webhook signed invalid utf-8', headers: { ...ct, 'stripe-signature': signWebhook(body.toString('latin1'), CHAOS_WEBHOOK_SECRET) }, body };
    },
    () => ({ kind: 'webhook odd content type', headers: { 'content-type': pick(rng, ['text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']), 'content-encoding': pick(rng, ['gzip', 'identity', 'br']), 'stripe-signature': `t=${now()},v1=${hex(rng, 64)}` }, body: valid }),
  ];
  return { ...base, ...pick(rng, kinds)() };
}

function v1(rng: Rng): HostileRequest {
  const auths: Array<Record<string, string>> = [
    {}, { authorization: `Bearer ${CHAOS_API_KEY}x` }, { authorization: 'Bearer' }, { authorization: `Basic ${Buffer.from(`x:${CHAOS_API_KEY}`).toString('base64')}` },
    { authorization: `Bearer ${CHAOS_API_KEY.slice(0, -1)}` }, { authorization: `Bearer ${encodeURIComponent(junkString(rng))}` }, { 'x-api-key': CHAOS_API_KEY },
  ];
  const id = pick(rng, ['cus_123', `cus_${hex(rng, 14)}`, '..', '%2e%2e', 'cus_%00', encodeURIComponent(junkString(rng)), 'x'.repeat(5000), "cus_1'--"]);
  const paths = [`/v1/customers/${id}/access`, `/v1/customers/${id}/portal-sessions`, '/v1/usage', '/v1', '/v1/', `/V1/customers/${id}/access`, `/v1//customers/${id}/access`,
    `/v1/customers/${id}/access/`, `/v1/customers/${id}%2faccess`, '/v1/usage?events=1', `/v1/customers/${id}/access?token=${CHAOS_API_KEY}`];
  const path = pick(rng, paths);
  const method = pick(rng, ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
  return { kind: `v1 ${method} without credentials`, method, path, headers: { 'content-type': 'application/json', ...pick(rng, auths) }, body: method === 'GET' ? Buffer.alloc(0) : usageBody(rng), protectedRoute: true };
}

/** Usage bodies that are always invalid (each has at least one bad field), random otherwise. */
function usageBody(rng: Rng): Buffer {
  const good = { customer: `cus_${hex(rng, 10)}`, meter: 'api_calls', value: 1 };
  const bad: unknown[] = [
    { ...good, value: -1 }, { ...good, value: 1.5 }, { ...good, value: '1' }, { ...good, value: 2 ** 53 }, { ...good, customer: junkString(rng) },
    { ...good, meter: 'a|b' }, { ...good, meter: '' }, { ...good, timestamp: now() + 3600 }, { ...good, timestamp: now() - 40 * 86400 }, { ...good, value: null },
    { events: [good, { ...good, value: -5 }] }, { events: Array.from({ length: 1001 }, () => good) }, { events: 'all' }, [good], 'usage', null,
  ];
  if (rng() < 0.1) return Buffer.from(`{"customer":"cus_1","meter":"api_calls","value":${'9'.repeat(400)}`);
  return json(pick(rng, bad));
}

/** With the valid token: bad input must be 400 and record nothing. */
function v1Authorized(rng: Rng): HostileRequest {
  const headers = { authorization: `Bearer ${CHAOS_API_KEY}`, 'content-type': 'application/json' };
  const portalBodies = [{}, { return_url: 'javascript:alert(1)' }, { return_url: 'https://x.example', flow: 'steal' }, { return_url: 42 }, { return_url: 'https://x.example', flow: 'subscription_update_confirm' }];
  const kinds: HostileRequest[] = [
    { kind: 'v1 usage bad body', method: 'POST', path: '/v1/usage', headers, body: usageBody(rng), protectedRoute: false },
    { kind: 'v1 usage not json', method: 'POST', path: '/v1/usage', headers, body: Buffer.from(junkString(rng)), protectedRoute: false },
    { kind: 'v1 access odd id', method: 'GET', path: `/v1/customers/${encodeURIComponent(junkString(rng))}/access`, headers, body: Buffer.alloc(0), protectedRoute: false },
    { kind: 'v1 portal bad body', method: 'POST', path: `/v1/customers/cus_${hex(rng, 10)}/portal-sessions`, headers, body: json(pick(rng, portalBodies)), protectedRoute: false },
  ];
  return pick(rng, kinds);
}

function admin(rng: Rng): HostileRequest {
  const creds: Array<Record<string, string>> = [{}, { authorization: `Basic ${Buffer.from(`${CHAOS_ADMIN.user}:wrong`).toString('base64')}` }, { authorization: `Basic ${Buffer.from(`${CHAOS_ADMIN.user}:`).toString('base64')}` },
    { authorization: `Basic ${Buffer.from(`:${CHAOS_ADMIN.password}`).toString('base64')}` }, { authorization: 'Basic !!!' }, { authorization: `Bearer ${CHAOS_API_KEY}` },
    { authorization: `Basic ${Buffer.from(`${CHAOS_ADMIN.user}:${CHAOS_ADMIN.password}x`).toString('base64')}` }];
  const path = pick(rng, ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues', '/admin/queues/api/queues/stripe-events/retry/failed', '/ADMIN/queues', '/Admin/Queues/api/queues',
    '/admin//queues', '/admin/queues/../queues/api/queues', '/admin/%71ueues', '/admin/queues%2f..%2fapi/queues', '/admin/queues/static/..%2f..%2fpackage.json', '/admin/queues?x=../../', '//admin/queues/api/queues']);
  const method = pick(rng, ['GET', 'GET', 'PUT', 'POST', 'DELETE']);
  return { kind: `admin ${method} without credentials`, method, path, headers: pick(rng, creds), body: Buffer.alloc(0), protectedRoute: true };
}

function rawBytes(rng: Rng): HostileRequest {
  const host = 'Host: 127.0.0.1\r\n';
  const raws = [
    `GET /v1/../admin/queues/api/queues HTTP/1.1\r\n${host}\r\n`, `GET /v1/customers/cus_1/../../admin/queues HTTP/1.1\r\n${host}\r\n`,
    `GET /${junkString(rng)} HTTP/1.1\r\n${host}\r\n`, `FOO /webhooks/stripe HTTP/1.1\r\n${host}\r\n`, 'GET / HTTP/0.9\r\n\r\n', '\x00\x01\x02garbage\r\n\r\n',
    `GET /healthz HTTP/1.1\r\n${host}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`, `POST /webhooks/stripe HTTP/1.1\r\n${host}Content-Length: -1\r\n\r\n{}`,
    `POST /webhooks/stripe HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    `GET /admin/queues HTTP/1.1\r\n${host}Authorization: Basic ${Buffer.from(`${CHAOS_ADMIN.user}:x`).toString('base64')}\r\nAuthorization: Basic ${Buffer.from(`${CHAOS_ADMIN.user}:y`).toString('base64')}\r\n\r\n`,
  ];
  const text = pick(rng, raws);
  return { kind: 'raw bytes', method: 'RAW', path: text.split(' ')[1] ?? '?', headers: {}, body: Buffer.alloc(0), raw: Buffer.from(text, 'latin1'), protectedRoute: /admin|v1/.test(text) };
}

function truncatedUpload(rng: Rng): HostileRequest {
  const path = pick(rng, ['/webhooks/stripe', '/v1/usage']);
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${CHAOS_API_KEY}\r\nStripe-Signature: t=${now()},v1=${hex(rng, 64)}\r\nContent-Length: 50000\r\n\r\n{"id":"evt_`;
  return { kind: 'truncated upload (client hangs up)', method: 'RAW', path, headers: {}, body: Buffer.alloc(0), raw: Buffer.from(head), hangUp: true, protectedRoute: false };
}

function open(rng: Rng): HostileRequest {
  const path = pick(rng, ['/healthz', '/readyz', '/metrics', `/healthz?${encodeURIComponent(junkString(rng))}`, '/', '/favicon.ico', `/${encodeURIComponent(junkString(rng))}`, '/..%2f..%2fetc/passwd', '/webhooks/stripe']);
  return { kind: 'open routes, any method', method: pick(rng, ['GET', 'HEAD', 'OPTIONS', 'POST', 'DELETE', 'TRACE']), path, headers: { 'x-forwarded-for': encodeURIComponent(junkString(rng)).slice(0, 80), 'x-forwarded-proto': 'gopher' }, body: Buffer.alloc(0), protectedRoute: false };
}

/** One random hostile request; the mix covers every route. */
export function hostileRequest(rng: Rng): HostileRequest {
  const r = rng();
  if (r < 0.35) return webhook(rng);
  if (r < 0.55) return v1(rng);
  if (r < 0.7) return v1Authorized(rng);
  if (r < 0.82) return admin(rng);
  if (r < 0.9) return open(rng);
  if (r < 0.97) return rawBytes(rng);
  return truncatedUpload(rng);
}
