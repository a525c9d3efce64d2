/**
 * Verifies a webhook delivery: the signature over the raw bytes against every configured secret
 * (several during a secret rotation), within Stripe's 300 s tolerance, then the JSON and the
 * envelope: a Stripe event (`"object":"event"`), or a thin event notification from an event
 * destination (`"object":"v2.core.event"`, parsed by stripe-node's `parseEventNotification` with
 * the secret that matched). Pure apart from the clock; the route turns a failure into a 400.
 */
import Stripe from 'stripe';
import { isRecord } from '../lib/is-record';
import { EVENT_ID, parseStripeEvent, StripeEvent } from '../queues/stripe-event';
import type { ThinNotification } from '../queues/thin-events-queue';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

const webhooks = Stripe.webhooks;

export type VerifyResult =
  | { ok: true; event: StripeEvent; thin?: undefined }
  | { ok: true; thin: ThinNotification; event?: undefined }
  | { ok: false; reason: string };

/** `stripe` parses thin notifications (an instance method in stripe-node); without it they are refused. */
export function verifyWebhook(
  raw: Buffer,
  header: string | undefined,
  secrets: readonly string[],
  nowSeconds?: number,
  stripe?: Pick<Stripe, 'parseEventNotification'>,
): VerifyResult {
  if (!header) return { ok: false, reason: 'missing Stripe-Signature header' };
  const signed = matchingSecret(raw, header, secrets, nowSeconds);
  if (!signed.ok) return signed;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'signed body is not valid JSON' };
  }
  if (isRecord(body) && body.object === 'v2.core.event') {
    return thinNotification(body, () =>
      stripe?.parseEventNotification(
        raw,
        header,
        signed.secret,
        SIGNATURE_TOLERANCE_SECONDS,
        undefined,
        receivedAt(nowSeconds),
      ),
    );
  }
  const parsed = parseStripeEvent(body);
  return parsed.ok ? parsed : { ok: false, reason: `signed body is not a Stripe event (${parsed.reason})` };
}

/** The SDK takes the receive time in milliseconds. */
const receivedAt = (nowSeconds: number | undefined) => (nowSeconds === undefined ? undefined : nowSeconds * 1000);

function matchingSecret(
  raw: Buffer,
  header: string,
  secrets: readonly string[],
  nowSeconds?: number,
): { ok: true; secret: string } | { ok: false; reason: string } {
  const signature = webhooks.signature;
  if (!signature) throw new Error('stripe webhooks signature helper is unavailable');
  let lastError = 'no matching signature';
  const secret = secrets.find((candidate) => {
    try {
      return signature.verifyHeader(
        raw,
        header,
        candidate,
        SIGNATURE_TOLERANCE_SECONDS,
        undefined,
        receivedAt(nowSeconds),
      );
    } catch (error) {
      lastError = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return false;
    }
  });
  return secret === undefined ? { ok: false, reason: `invalid signature: ${lastError}` } : { ok: true, secret };
}

/**
 * A thin notification: stripe-node's parse (which verifies the signature again and refuses what is
 * not a notification), then the envelope the contract needs: `id` evt_…, `type`, `created`.
 */
function thinNotification(body: Record<string, unknown>, parse: () => unknown): VerifyResult {
  try {
    if (!parse()) return { ok: false, reason: 'thin event notifications cannot be parsed here (no Stripe client)' };
  } catch (error) {
    return { ok: false, reason: `invalid thin event notification: ${(error as Error).message.split('\n')[0]}` };
  }
  const { id, type, created } = body;
  if (typeof id !== 'string' || !EVENT_ID.test(id))
    return { ok: false, reason: 'signed body is not a Stripe event (id: must be an evt_ id)' };
  if (typeof type !== 'string' || type.length === 0)
    return { ok: false, reason: 'signed body is not a Stripe event (type: must be a non-empty string)' };
  if (typeof created !== 'string' || Number.isNaN(Date.parse(created)))
    return { ok: false, reason: 'signed body is not a Stripe event (created: must be an RFC 3339 time)' };
  return { ok: true, thin: body as ThinNotification };
}
