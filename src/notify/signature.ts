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

/** How far a notification's timestamp may be from the receiver's clock (Stripe's default tolerance). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * What a receiver does (docs/access.md's reference): true when the timestamp is within 300 s of now and some
 * v1 of `header` matches `body` and `secret`. Without the time check a captured notification could be
 * replayed forever.
 */
export function verifySignature(
  body: string,
  header: string,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const parts = header.split(',').map((p) => p.split('=', 2) as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isSafeInteger(t) || Math.abs(nowSeconds - t) > SIGNATURE_TOLERANCE_SECONDS) return false;
  const expected = signatureHeader(body, secret, t).split('v1=')[1];
  return parts.some(([k, v]) => k === 'v1' && secureEqual(v ?? '', expected));
}
