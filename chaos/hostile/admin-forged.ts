/** Hostile writes under /admin that hold the right credentials and must still be refused (scenario 7). */
import { CHAOS_ADMIN } from '../stack';
import { json, pick, type HostileRequest, type Rng } from './shapes';

/**
 * Writes under /admin with the right credentials that must still be refused (403): sent from
 * another site (a browser's cross-site form or script riding remembered credentials), or to Bull
 * Board's add-job and edit-job-data routes, which nobody may use.
 */
export function adminForged(rng: Rng): HostileRequest {
  const auth = `Basic ${Buffer.from(`${CHAOS_ADMIN.user}:${CHAOS_ADMIN.password}`).toString('base64')}`;
  const crossSite: Record<string, string> = pick<Record<string, string>>(rng, [
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site' },
    { origin: 'https://attacker.example' },
    { origin: 'null' },
  ]);
  const forged = json({ name: 'customer.updated', data: { event: { id: 'evt_forged', created: 4_102_444_800 } } });
  const [kind, method, path, headers] = pick<[string, string, string, Record<string, string>]>(rng, [
    ['admin cross-site resync', 'POST', '/admin/customers/cus_Chaos0001/resync', crossSite],
    ['admin cross-site retry', 'PUT', '/admin/queues/api/queues/stripe-events/retry/failed', crossSite],
    ['admin cross-site clean', 'PUT', '/admin/queues/api/queues/stripe-events/clean/failed', crossSite],
    ['admin add job', 'POST', '/admin/queues/api/queues/stripe-events/add', {}],
    ['admin add job', 'POST', '/admin/queues/api/queues/stripe-events/ADD/', { 'sec-fetch-site': 'same-origin' }],
    ['admin edit job data', 'PATCH', '/admin/queues/api/queues/stripe-events/evt_1/update-data', {}],
  ]);
  return {
    kind,
    method,
    path,
    headers: { authorization: auth, 'content-type': 'application/json', ...headers },
    body: forged,
    protectedRoute: true,
  };
}
