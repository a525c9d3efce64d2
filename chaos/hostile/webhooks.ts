/** Hostile webhook deliveries: bad, stale, replayed or wrong signatures, and signed bodies that are not events. */
import { customer, event, signWebhook } from '../../stand-in/events';
import { CHAOS_WEBHOOK_SECRET } from '../stack';
import { hex, HostileRequest, json, junkString, now, pick, Rng } from './shapes';

/** Signed with the real secret but not a Stripe event: must be 400, never enqueued. */
function notAnEvent(rng: Rng): unknown {
  const e = event('customer.created', customer()) as unknown as Record<string, unknown>;
  const broken: Array<() => unknown> = [
    () => [e],
    () => 42,
    () => 'evt',
    () => null,
    () => ({}),
    () => ({ ...e, id: 5 }),
    () => ({ ...e, id: `evt_${junkString(rng)}` }),
    () => ({ ...e, object: 'charge' }),
    () => ({ ...e, created: 'yesterday' }),
    () => ({ ...e, created: -1 }),
    () =>
      JSON.parse(
        `{"id":"evt_1","object":"event","type":"customer.created","created":1${'0'.repeat(400)},"data":{"object":{"id":"cus_1","object":"customer"}}}`,
      ),
    () => ({ ...e, type: '' }),
    () => ({ ...e, data: null }),
    () => ({ ...e, data: { object: 'x' } }),
    () => ({ ...e, data: { object: [7] } }),
    () => ({ ...e, id: undefined }),
    () => JSON.parse('{"__proto__":{"admin":true},"id":"evt_1"}'),
  ];
  return pick(rng, broken)();
}

export function webhook(rng: Rng): HostileRequest {
  const valid = Buffer.from(JSON.stringify(event('customer.created', customer())));
  const other = Buffer.from(JSON.stringify(event('customer.updated', customer())));
  const base = { method: 'POST', path: '/webhooks/stripe', protectedRoute: true };
  const ct = { 'content-type': 'application/json' };
  const kinds: Array<() => Omit<HostileRequest, 'method' | 'path' | 'protectedRoute'>> = [
    () => ({
      kind: 'webhook bad signature',
      headers: { ...ct, 'stripe-signature': `t=${now()},v1=${hex(rng, 64)}` },
      body: valid,
    }),
    () => ({
      kind: 'webhook replayed signature, new body',
      headers: { ...ct, 'stripe-signature': signWebhook(valid.toString(), CHAOS_WEBHOOK_SECRET) },
      body: other,
    }),
    () => ({
      kind: 'webhook stale signature',
      headers: { ...ct, 'stripe-signature': signWebhook(valid.toString(), CHAOS_WEBHOOK_SECRET, now() - 3600) },
      body: valid,
    }),
    () => ({
      kind: 'webhook wrong secret',
      headers: { ...ct, 'stripe-signature': signWebhook(valid.toString(), 'whsec_attacker') },
      body: valid,
    }),
    () => ({ kind: 'webhook no signature', headers: ct, body: valid }),
    () => ({
      kind: 'webhook garbage signature',
      headers: { ...ct, 'stripe-signature': encodeURIComponent(junkString(rng)).repeat(1 + Math.floor(rng() * 200)) },
      body: valid,
    }),
    () => ({
      kind: 'webhook truncated body',
      headers: { ...ct, 'stripe-signature': signWebhook(valid.toString(), CHAOS_WEBHOOK_SECRET) },
      body: valid.subarray(0, Math.floor(rng() * valid.length)),
    }),
    () => ({
      kind: 'webhook huge body',
      headers: { ...ct, 'stripe-signature': `t=${now()},v1=${hex(rng, 64)}` },
      body: Buffer.alloc(1024 * 1024 + 1 + Math.floor(rng() * 512 * 1024), 'a'),
    }),
    () => {
      const body = json(notAnEvent(rng));
      return {
        kind: 'webhook signed, not an event',
        headers: { ...ct, 'stripe-signature': signWebhook(body.toString(), CHAOS_WEBHOOK_SECRET) },
        body,
      };
    },
    () => {
      const body = Buffer.concat([
        Buffer.from('{"id":"evt_'),
        Buffer.from([0xff, 0xfe, 0x00, 0xc3]),
        Buffer.from('"}'),
      ]);
      return {
        kind: 'webhook signed invalid utf-8',
        headers: { ...ct, 'stripe-signature': signWebhook(body.toString('latin1'), CHAOS_WEBHOOK_SECRET) },
        body,
      };
    },
    () => ({
      kind: 'webhook odd content type',
      headers: {
        'content-type': pick(rng, [
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
        ]),
        'content-encoding': pick(rng, ['gzip', 'identity', 'br']),
        'stripe-signature': `t=${now()},v1=${hex(rng, 64)}`,
      },
      body: valid,
    }),
  ];
  return { ...base, ...pick(rng, kinds)() };
}
