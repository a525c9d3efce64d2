/**
 * The configured Stripe client: pinned API version, optional STRIPE_API_URL (a Stripe-compatible
 * server such as the test stand-in; v2 meter events go there too), and the SDK's own retries for
 * connection errors, 409 and 5xx. A plain 429 is not retried by the SDK: callers back off themselves.
 */
import Stripe from 'stripe';

export const STRIPE_API_VERSION = '2026-10-28.endive';
/** The oldest API version whose event shapes the mappers read (src/events/handlers/); older payloads may not map. */
export const OLDEST_READ_API_VERSION = '2020-03-02';

export interface StripeClientOptions {
  secretKey: string;
  apiUrl?: string;
  maxNetworkRetries?: number;
  timeoutMs?: number;
}

export function createStripeClient(options: StripeClientOptions): Stripe {
  const config: Stripe.StripeConfig = {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 20_000,
    appInfo: { name: 'stripe-billing-engine' },
  };
  if (options.apiUrl) {
    const url = new URL(options.apiUrl);
    config.host = url.hostname;
    config.protocol = url.protocol === 'http:' ? 'http' : 'https';
    config.port = url.port || (config.protocol === 'http' ? 80 : 443);
  }
  return new Stripe(options.secretKey, config);
}

/** True for Stripe's "this object does not exist (any more)" answer. */
export function isResourceMissing(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing';
}
