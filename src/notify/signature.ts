/**
 * The `Billing-Signature` header of access-change notifications: Stripe's scheme, so receivers
 * can reuse their webhook verification code. `t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 */
import { createHmac } from 'node:crypto';
import { secureEqual } from '../lib/secure-compare';

export function signatureHeader(body: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/** What a receiver does: true when some v1 of `header` matches `body` and `secret`. */
export function verifySignature(body: string, header: string, secret: string): boolean {
  const parts = header.split(',').map((p) => p.split('=', 2) as [string, string]);
  const t = parts.find(([k]) => k === 't')?.[1];
  if (!t) return false;
  const expected = signatureHeader(body, secret, Number(t)).split('v1=')[1];
  return parts.some(([k, v]) => k === 'v1' && secureEqual(v ?? '', expected));
}
