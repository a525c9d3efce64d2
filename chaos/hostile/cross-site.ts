/**
 * Cross-site writes to Bull Board: what a page on another site can make a browser send with the
 * operator's remembered basic-auth credentials (a form: POST, form or text body, the browser's
 * Origin and Sec-Fetch-Site). The credentials are valid, so only the cross-site rule (issue 21)
 * stands between such a form and a forged job on the event queue: every one must be refused and
 * change nothing (protectedRoute: a 2xx or 3xx is a violation).
 */
import { CHAOS_ADMIN } from '../stack';
import { customer, event } from '../../stand-in/events';
import { HostileRequest, pick, Rng } from './shapes';

const basic = `Basic ${Buffer.from(`${CHAOS_ADMIN.user}:${CHAOS_ADMIN.password}`).toString('base64')}`;

/** A forged event whose far-future `created` would freeze its row's watermark. */
const forged = () => JSON.stringify({ event: event('customer.updated', customer(), { created: 4_000_000_000 }) });

export function crossSiteAdmin(rng: Rng): HostileRequest {
  const origin = pick(rng, ['https://evil.example', 'null', 'http://127.0.0.1.evil.example']);
  const site = pick<Record<string, string>>(rng, [
    { 'sec-fetch-site': 'cross-site', origin },
    { origin },
    { 'sec-fetch-site': 'cross-site', referer: `${origin}/page` },
  ]);
  const [path, type, body] = pick(rng, [
    [
      '/admin/queues/api/queues/stripe-events/add',
      'application/x-www-form-urlencoded',
      `name=customer.updated&data=${encodeURIComponent(forged())}`,
    ],
    ['/admin/queues/api/queues/stripe-events/add', 'text/plain', `{"name":"customer.updated","data":${forged()}}`],
    [
      '/admin/queues/api/queues/access-notifications/add',
      'application/x-www-form-urlencoded',
      'name=deliver&data%5Bbody%5D%5Bid%5D=acc_forged&data%5Bbody%5D%5Btype%5D=customer.access.changed',
    ],
    ['/admin/queues/api/metrics/history/purge', 'application/x-www-form-urlencoded', 'all=1'],
  ] as const);
  return {
    kind: 'admin cross-site write (valid credentials)',
    method: 'POST',
    path,
    headers: { authorization: basic, 'content-type': type, ...site },
    body: Buffer.from(body),
    protectedRoute: true,
  };
}
