/**
 * The webhook endpoint checks. An endpoint "points at this service" when its URL is this service's
 * (../service-url.ts: exactly `<PUBLIC_URL>/webhooks/stripe` when PUBLIC_URL is set, else any URL path
 * ending in `/webhooks/stripe`); only those are checked: enabled, rendering events in an API version
 * the engine reads (./api-version.ts: its pinned one, or any from 2020-03-02 before it: `ok` with a
 * note naming the version and how to move to the pinned one), and sending every event type the engine
 * handles (`*` sends everything). A version the engine cannot read (older, newer, another name on the
 * pinned date) fails, and so does a null `api_version`: the account's default, which no list call
 * reveals and which changes with the account's upgrades, so the engine cannot vouch for it (an
 * endpoint's version cannot be changed, only a new one made). An endpoint that falls short beside a
 * right one (enabled, pinned version, every type) for the same URL is superseded, Stripe's own upgrade
 * path (new endpoint beside the old, cut over, delete): its events are still understood, so it is an
 * `ok` line saying to remove it.
 */
import type Stripe from 'stripe';
import { OLDEST_READ_API_VERSION } from '../../stripe';
import { pointsAtService, sameUrl, SERVICE_PATH } from '../service-url';
import { apiVersionReading, type ApiVersionReading } from './api-version';
import { CheckResult, fail, ok } from './result';

export type EndpointView = Pick<Stripe.WebhookEndpoint, 'id' | 'url' | 'status' | 'api_version' | 'enabled_events'>;

const SETUP = '`npm run setup -- --url https://<this service>`';

/** Handled event types the endpoint does not send, in the handler table's order. */
export function missingEventTypes(enabledEvents: readonly string[], handled: readonly string[]): string[] {
  if (enabledEvents.includes('*')) return [];
  const enabled = new Set(enabledEvents);
  return handled.filter((type) => !enabled.has(type));
}

/** Enabled, on the engine's version, sending every handled event type. */
export function isRightEndpoint(endpoint: EndpointView, handled: readonly string[], engineVersion: string): boolean {
  return (
    endpoint.status === 'enabled' &&
    endpoint.api_version === engineVersion &&
    missingEventTypes(endpoint.enabled_events, handled).length === 0
  );
}

/**
 * One summary line, then per endpoint one `ok` line or one FAIL line per problem. `serviceUrl` is
 * `<PUBLIC_URL>/webhooks/stripe` when PUBLIC_URL is set.
 */
export function webhookEndpointResults(
  endpoints: readonly EndpointView[],
  handled: readonly string[],
  engineVersion: string,
  serviceUrl?: string,
): CheckResult[] {
  const ours = endpoints.filter((e) => pointsAtService(e.url, serviceUrl));
  const rule = serviceUrl === undefined ? `URL path ending in ${SERVICE_PATH}` : `URL ${serviceUrl}`;
  const summary = ours.length
    ? ok('webhook endpoints', `${ours.length} of ${endpoints.length} point at this service (${rule})`)
    : fail(
        'webhook endpoints',
        `none of the account's ${endpoints.length} endpoint(s) points at this service (no ${rule})`,
        serviceUrl === undefined
          ? `add an endpoint for https://<this service>${SERVICE_PATH} with API version ${engineVersion} and the engine's events (${SETUP} does it, or Dashboard → Developers → Webhooks), and put its signing secret in STRIPE_WEBHOOK_SECRET`
          : `run \`npm run setup\` (it creates one for ${serviceUrl} and prints the STRIPE_WEBHOOK_SECRET to deploy)`,
      );
  const right = ours.filter((e) => isRightEndpoint(e, handled, engineVersion));
  return [summary, ...endpoints.flatMap((e) => endpointResults(e, handled, engineVersion, serviceUrl, right))];
}

function endpointResults(
  endpoint: EndpointView,
  handled: readonly string[],
  engineVersion: string,
  serviceUrl: string | undefined,
  right: readonly EndpointView[],
): CheckResult[] {
  const check = `webhook endpoint ${endpoint.id}`;
  if (!pointsAtService(endpoint.url, serviceUrl)) {
    const why = serviceUrl === undefined ? `path does not end in ${SERVICE_PATH}` : `not ${serviceUrl}`;
    return [ok(check, `${endpoint.url}: not this service (${why}), not checked`)];
  }
  if (right.includes(endpoint))
    return [
      ok(check, `${endpoint.url}: enabled, api_version ${engineVersion}, sends every event type the engine handles`),
    ];
  const successor = right.find((r) => sameUrl(r.url, endpoint.url));
  const shortfalls = endpointShortfalls(endpoint, handled, engineVersion);
  if (successor) {
    return [
      ok(
        check,
        `${endpoint.url}: ${shortfalls.map((p) => p.short).join(', ')}, superseded by ${successor.id} for the same URL: remove it once STRIPE_WEBHOOK_SECRET holds ${successor.id}'s secret (\`npm run setup -- --remove-old\` removes those on another API version)`,
      ),
    ];
  }
  const problems = shortfalls.filter((p): p is Required<Shortfall> => p.problem !== undefined);
  if (problems.length) return problems.map((p) => fail(check, `${endpoint.url} ${p.problem}`, p.fix));
  // Only an older version the engine reads is left: fine as it is, and setup's endpoint replaces it.
  const setup = serviceUrl === undefined ? SETUP : '`npm run setup`';
  return [
    ok(
      check,
      `${endpoint.url}: enabled, api_version ${endpoint.api_version} (read by the engine; ${setup} moves it to ${engineVersion}), sends every event type the engine handles`,
    ),
  ];
}

/** What keeps an endpoint from being right; `problem` and `fix` when it is a failure, not only a note. */
interface Shortfall {
  short: string;
  problem?: string;
  fix?: string;
}

/** Why the engine does not read a version, by reading (./api-version.ts). */
function unreadVersion(reading: Exclude<ApiVersionReading, 'pinned' | 'read'>, version: string | null, engine: string) {
  if (version === null)
    return `renders events in no api_version (the account default, unknown here), not the engine's ${engine}`;
  const why = {
    too_old: `older than ${OLDEST_READ_API_VERSION}, the oldest the engine reads`,
    too_new: `newer than the engine's ${engine}`,
    same_date: `another release of the date of the engine's ${engine}, unknown to the engine`,
    unknown: `not a dated Stripe API version, not the engine's ${engine}`,
  }[reading];
  return `renders events in api_version ${version}, ${why}`;
}

function endpointShortfalls(endpoint: EndpointView, handled: readonly string[], engineVersion: string): Shortfall[] {
  const shortfalls: Shortfall[] = [];
  if (endpoint.status !== 'enabled') {
    shortfalls.push({
      short: endpoint.status,
      problem: `is ${endpoint.status}: Stripe sends it nothing`,
      fix: `find why its deliveries failed (Dashboard → Developers → Webhooks → ${endpoint.id}), then enable it there, or run ${SETUP} for a new one`,
    });
  }
  const reading = apiVersionReading(endpoint.api_version, engineVersion, OLDEST_READ_API_VERSION);
  if (reading === 'read') shortfalls.push({ short: `api_version ${endpoint.api_version}` });
  else if (reading !== 'pinned') {
    shortfalls.push({
      short: endpoint.api_version === null ? 'no api_version' : `api_version ${endpoint.api_version}`,
      problem: unreadVersion(reading, endpoint.api_version, engineVersion),
      fix: `an endpoint's version cannot be changed: add one for the same URL with API version ${engineVersion}, add its signing secret to STRIPE_WEBHOOK_SECRET (comma-separated), then delete ${endpoint.id} (${SETUP} adds it and prints the secret; \`--remove-old\` deletes)`,
    });
  }
  const missing = missingEventTypes(endpoint.enabled_events, handled);
  if (missing.length) {
    shortfalls.push({
      short: `${missing.length} handled event type(s) not sent`,
      problem: `does not send ${missing.length} event type(s) the engine handles: ${missing.join(', ')}`,
      fix: `add them to ${endpoint.id}'s events (Dashboard → Developers → Webhooks → ${endpoint.id} → events, or ${SETUP}), or send all events`,
    });
  }
  return shortfalls;
}
