/**
 * Verifies a webhook delivery: the signature over the raw bytes against every configured secret
 * (several during a secret rotation), within Stripe's 300 s tolerance, then the JSON and the
 * event envelope. Pure apart from the clock; the route turns a failure into a 400.
 */
import Stripe from 'stripe';
import { parseStripeEvent, StripeEvent } from '../queues/stripe-event';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

const webhooks = Stripe.webhooks;

export type VerifyResult = { ok: true; event: StripeEvent } | { ok: false; reason: string };

export function verifyWebhook(
  raw: Buffer,
  header: string | undefined,
  secrets: readonly string[],
  nowSeconds?: number,
): VerifyResult {
  if (!header) return { ok: false, reason: 'missing Stripe-Signature header' };
  const signature = webhooks.signature;
  if (!signature) throw new Error('stripe webhooks signature helper is unavailable');
  let lastError = 'no matching signature';
  const verified = secrets.some((secret) => {
    try {
      // The SDK takes the receive time in milliseconds.
      return signature.verifyHeader(
        raw,
        header,
        secret,
        SIGNATURE_TOLERANCE_SECONDS,
        undefined,
        nowSeconds === undefined ? undefined : nowSeconds * 1000,
      );
    } catch (error) {
      lastError = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return false;
    }
  });
  if (!verified) return { ok: false, reason: `invalid signature: ${lastError}` };
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'signed body is not valid JSON' };
  }
  const parsed = parseStripeEvent(body);
  return parsed.ok ? parsed : { ok: false, reason: `signed body is not a Stripe event (${parsed.reason})` };
}
