/**
 * Which Stripe webhook URLs are this service's. With the public base URL known (`PUBLIC_URL` or
 * `npm run setup -- --url`), exactly `<base>/webhooks/stripe`; without it, any URL whose path ends in
 * `/webhooks/stripe` (the engine's route, possibly behind a path prefix). URLs are compared by
 * origin and path, so a trailing slash, letter case of the host or a default port do not matter.
 */
export const SERVICE_PATH = '/webhooks/stripe';

/** `https://billing.example.com` (or already `…/webhooks/stripe`) → `https://billing.example.com/webhooks/stripe`. */
export function serviceWebhookUrl(publicUrl: string): string {
  const url = new URL(publicUrl);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path.endsWith(SERVICE_PATH) ? path : `${path}${SERVICE_PATH}`}`;
}

/** Origin and path without trailing slashes; undefined for text that is not a URL. */
function comparable(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}

export function sameUrl(a: string, b: string): boolean {
  const left = comparable(a);
  return left !== undefined && left === comparable(b);
}

/** True when `url` is this service's webhook URL: `serviceUrl` exactly when known, else the path rule. */
export function pointsAtService(url: string, serviceUrl?: string): boolean {
  if (serviceUrl !== undefined) return sameUrl(url, serviceUrl);
  try {
    return new URL(url).pathname.endsWith(SERVICE_PATH);
  } catch {
    return false;
  }
}
