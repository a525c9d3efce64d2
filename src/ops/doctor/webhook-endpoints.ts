/**
 * The webhook endpoint checks. An endpoint "points at this service" when its URL path ends in
 * `/webhooks/stripe` (the engine's route, possibly behind a path prefix); only those are checked:
 * enabled, rendering events in the engine's pinned API version, and sending every event type the
 * engine handles (`*` sends everything). A null `api_version` means the account's default version,
 * which no single list call reveals and which is usually older than the engine's: it counts as a
 * problem too, with the same fix (an endpoint's version cannot be changed, only a new one made).
 */
import type Stripe from 'stripe';
import { CheckResult, fail, ok } from './result';

export type EndpointView = Pick<Stripe.WebhookEndpoint, 'id' | 'url' | 'status' | 'api_version' | 'enabled_events'>;

export const SERVICE_PATH = '/webhooks/stripe';

export function pointsAtService(url: string): boolean {
  try {
    return new URL(url).pathname.endsWith(SERVICE_PATH);
  } catch {
    return false;
  }
}

/** Handled event types the endpoint does not send, in the handler table's order. */
export function missingEventTypes(enabledEvents: readonly string[], handled: readonly string[]): string[] {
  if (enabledEvents.includes('*')) return [];
  const enabled = new Set(enabledEvents);
  return handled.filter((type) => !enabled.has(type));
}

/** One summary line, then per endpoint one `ok` line or one FAIL line per problem. */
export function webhookEndpointResults(
  endpoints: readonly EndpointView[],
  handled: readonly string[],
  engineVersion: string,
): CheckResult[] {
  const ours = endpoints.filter((e) => pointsAtService(e.url));
  const summary = ours.length
    ? ok(
        'webhook endpoints',
        `${ours.length} of ${endpoints.length} point at this service (URL path ending in ${SERVICE_PATH})`,
      )
    : fail(
        'webhook endpoints',
        `none of the account's ${endpoints.length} endpoint(s) points at this service (no URL path ends in ${SERVICE_PATH})`,
        `add an endpoint for https://<this service>${SERVICE_PATH} with API version ${engineVersion} and the engine's events (Dashboard → Developers → Webhooks), and put its signing secret in STRIPE_WEBHOOK_SECRET`,
      );
  return [summary, ...endpoints.flatMap((e) => endpointResults(e, handled, engineVersion))];
}

function endpointResults(endpoint: EndpointView, handled: readonly string[], engineVersion: string): CheckResult[] {
  const check = `webhook endpoint ${endpoint.id}`;
  if (!pointsAtService(endpoint.url))
    return [ok(check, `${endpoint.url}: not this service (path does not end in ${SERVICE_PATH}), not checked`)];
  const results: CheckResult[] = [];
  if (endpoint.status !== 'enabled') {
    results.push(
      fail(
        check,
        `${endpoint.url} is ${endpoint.status}: Stripe sends it nothing`,
        `find why its deliveries failed (Dashboard → Developers → Webhooks → ${endpoint.id}), then enable it there`,
      ),
    );
  }
  if (endpoint.api_version !== engineVersion) {
    const version =
      endpoint.api_version === null
        ? 'no api_version (the account default, unknown here)'
        : `api_version ${endpoint.api_version}`;
    results.push(
      fail(
        check,
        `${endpoint.url} renders events in ${version}, not the engine's ${engineVersion}`,
        `an endpoint's version cannot be changed: add one for the same URL with API version ${engineVersion}, add its signing secret to STRIPE_WEBHOOK_SECRET (comma-separated), then delete ${endpoint.id}`,
      ),
    );
  }
  const missing = missingEventTypes(endpoint.enabled_events, handled);
  if (missing.length) {
    results.push(
      fail(
        check,
        `${endpoint.url} does not send ${missing.length} event type(s) the engine handles: ${missing.join(', ')}`,
        `add them to ${endpoint.id}'s events (Dashboard → Developers → Webhooks → ${endpoint.id} → events), or send all events`,
      ),
    );
  }
  if (results.length) return results;
  return [
    ok(check, `${endpoint.url}: enabled, api_version ${engineVersion}, sends every event type the engine handles`),
  ];
}
