/**
 * The setup planner, a pure function of what the account holds: which webhook endpoint and which
 * event destination this service should have, and what to write to get there.
 *
 * Webhook endpoints of this service's URL (exactly; another URL is never touched):
 * - an enabled one on the engine's API version is reused (preferring one that already sends every
 *   handled event type, then one setup made); the handled types it lacks are added (an update Stripe
 *   allows, unlike a change of `api_version`);
 * - without one, one is created on the engine's version with every handled type (unless the account
 *   is at Stripe's limit of 16 endpoints);
 * - one on another API version keeps running (its events are still understood) and is named;
 *   `--remove-old` deletes it, but only when the endpoint on the engine's version existed before this
 *   run: a secret created just now is not deployed yet, and deleting first would lose events;
 * - a disabled one on the engine's version is not reused and is left alone; so is a second enabled one.
 * The thin event destination of the same URL follows the same rule for the meter error event types.
 */
import type Stripe from 'stripe';
import { METER_ERROR_EVENT_TYPES, type DestinationView } from '../doctor/event-destinations';
import { missingEventTypes, type EndpointView } from '../doctor/webhook-endpoints';
import { sameUrl, SERVICE_PATH } from '../service-url';
import { MANAGED_BY, note, type SetupAction } from './actions';

export type SetupEndpoint = EndpointView & Pick<Stripe.WebhookEndpoint, 'metadata'>;
export type SetupDestination = DestinationView & Pick<Stripe.V2.Core.EventDestination, 'metadata'>;

export interface SetupInput {
  /** `<public URL>/webhooks/stripe`. */
  serviceUrl: string;
  engineVersion: string;
  /** Every event type the engine handles, in the handler table's order. */
  handled: readonly string[];
  endpoints: readonly SetupEndpoint[];
  destinations: readonly SetupDestination[];
  removeOld: boolean;
}

/** Stripe allows this many webhook endpoints per account. */
export const MAX_ENDPOINTS = 16;

const ENDPOINT = 'webhook endpoint';
const DESTINATION = 'event destination';

export function planSetup(input: SetupInput): SetupAction[] {
  return [...planEndpoints(input), ...planDestinations(input)];
}

const isManaged = (o: { metadata?: Stripe.Metadata | null }) => o.metadata?.managed_by === MANAGED_BY;

/** The candidate that needs no update first, then one setup made; otherwise the account's order. */
function pick<T extends { metadata?: Stripe.Metadata | null }>(candidates: T[], missing: (c: T) => string[]): T {
  const score = (c: T) => (missing(c).length === 0 ? 2 : 0) + (isManaged(c) ? 1 : 0);
  return candidates.reduce((best, c) => (score(c) > score(best) ? c : best));
}

function planEndpoints({ serviceUrl, engineVersion, handled, endpoints, removeOld }: SetupInput): SetupAction[] {
  const ours = endpoints.filter((e) => sameUrl(e.url, serviceUrl));
  const missing = (e: SetupEndpoint) => missingEventTypes(e.enabled_events, handled);
  const current = ours.filter((e) => e.status === 'enabled' && e.api_version === engineVersion);
  const chosen = current.length ? pick(current, missing) : undefined;
  const actions: SetupAction[] = [];
  if (chosen) {
    const lacking = missing(chosen);
    actions.push(
      lacking.length
        ? {
            kind: 'update-endpoint',
            check: ENDPOINT,
            id: chosen.id,
            detail: `${chosen.url}: add ${lacking.length} event type(s) the engine handles (${lacking.join(', ')})`,
            params: { enabled_events: [...chosen.enabled_events, ...lacking] as EnabledEvents },
          }
        : note(
            'ok',
            `${ENDPOINT} ${chosen.id}`,
            `${chosen.url}: enabled, api_version ${engineVersion}, sends every event type the engine handles; kept`,
          ),
    );
  } else if (endpoints.length >= MAX_ENDPOINTS) {
    actions.push(
      note(
        'FAIL',
        ENDPOINT,
        `the account has ${endpoints.length} webhook endpoints, Stripe's limit: no new one for ${serviceUrl} can be made`,
        'delete one it no longer needs (Dashboard → Developers → Webhooks), then run setup again',
      ),
    );
  } else {
    actions.push({
      kind: 'create-endpoint',
      check: ENDPOINT,
      detail: `${serviceUrl} on api_version ${engineVersion}, ${handled.length} event types, metadata.managed_by=${MANAGED_BY}`,
      params: {
        url: serviceUrl,
        api_version: engineVersion as Stripe.WebhookEndpointCreateParams.ApiVersion,
        enabled_events: [...handled] as EnabledEvents,
        description: 'Stripe billing engine (made by npm run setup)',
        metadata: { managed_by: MANAGED_BY },
      },
    });
  }
  for (const e of ours)
    if (e !== chosen) actions.push(otherOfOurs(e, { engineVersion, removeOld, chosen, serviceUrl }));
  for (const e of endpoints) if (!ours.includes(e)) actions.push(notOurs(ENDPOINT, e.id, e.url, isManaged(e)));
  return actions;
}

type EnabledEvents = Stripe.WebhookEndpointCreateParams.EnabledEvent[];

/** An endpoint of this URL that is not the one kept: another version (removable), disabled, or a duplicate. */
function otherOfOurs(
  e: SetupEndpoint,
  ctx: { engineVersion: string; removeOld: boolean; chosen?: SetupEndpoint; serviceUrl: string },
): SetupAction {
  const check = `${ENDPOINT} ${e.id}`;
  if (e.api_version === ctx.engineVersion) {
    return e.status === 'enabled'
      ? note('skip', check, `${e.url}: also enabled on api_version ${ctx.engineVersion}; left as is`)
      : note(
          'skip',
          check,
          `${e.url}: ${e.status} (Stripe sends it nothing), not reused; left as is`,
          `delete it in the Dashboard (Developers → Webhooks → ${e.id}) if nothing needs it`,
        );
  }
  const version = e.api_version === null ? 'no api_version (the account default)' : `api_version ${e.api_version}`;
  if (ctx.removeOld && ctx.chosen)
    return {
      kind: 'delete-endpoint',
      check: ENDPOINT,
      id: e.id,
      detail: `${e.url}: ${version}, superseded by ${ctx.chosen.id}`,
    };
  const rerun = `\`npm run setup -- --url ${ctx.serviceUrl.slice(0, -SERVICE_PATH.length)} --remove-old\``;
  return note(
    'old',
    check,
    `${e.url}: ${version}; it keeps running beside the engine's (its events are still understood)`,
    ctx.removeOld
      ? `not removed: the new endpoint's secret cannot be deployed yet; deploy the STRIPE_WEBHOOK_SECRET printed below, then run ${rerun}`
      : `once the deployed STRIPE_WEBHOOK_SECRET holds the secret of the endpoint on api_version ${ctx.engineVersion}, remove it with ${rerun}`,
  );
}

function notOurs(kind: string, id: string, url: string | undefined, managed: boolean): SetupAction {
  const where = url ?? 'no webhook URL';
  return managed
    ? note(
        'skip',
        `${kind} ${id}`,
        `${where}: made by setup for another URL; not touched`,
        'delete it if that deployment is gone',
      )
    : note('skip', `${kind} ${id}`, `${where}: another URL; not touched`);
}

function planDestinations({ serviceUrl, destinations }: SetupInput): SetupAction[] {
  const urlOf = (d: SetupDestination) =>
    (d.type === 'webhook_endpoint' ? d.webhook_endpoint?.url : undefined) ?? undefined;
  const here = destinations.filter((d) => urlOf(d) !== undefined && sameUrl(urlOf(d)!, serviceUrl));
  const missing = (d: SetupDestination) => METER_ERROR_EVENT_TYPES.filter((t) => !d.enabled_events.includes(t));
  const thin = here.filter((d) => d.status === 'enabled' && d.event_payload === 'thin');
  const chosen = thin.length ? pick(thin, missing) : undefined;
  const actions: SetupAction[] = [];
  if (!chosen) {
    actions.push({
      kind: 'create-destination',
      check: DESTINATION,
      detail: `${serviceUrl} (thin payloads): ${METER_ERROR_EVENT_TYPES.join(', ')}, metadata.managed_by=${MANAGED_BY}`,
      params: {
        name: 'Stripe billing engine: meter errors',
        description: 'Usage Stripe rejected after accepting it (made by npm run setup)',
        type: 'webhook_endpoint',
        event_payload: 'thin',
        enabled_events: [...METER_ERROR_EVENT_TYPES],
        events_from: ['@self'],
        webhook_endpoint: { url: serviceUrl },
        metadata: { managed_by: MANAGED_BY },
        include: ['webhook_endpoint.signing_secret'],
      },
    });
  } else if (missing(chosen).length) {
    actions.push({
      kind: 'update-destination',
      check: DESTINATION,
      id: chosen.id,
      detail: `${serviceUrl}: add ${missing(chosen).join(', ')}`,
      params: { enabled_events: [...chosen.enabled_events, ...missing(chosen)] },
    });
  } else {
    actions.push(
      note(
        'ok',
        `${DESTINATION} ${chosen.id}`,
        `${serviceUrl}: sends ${METER_ERROR_EVENT_TYPES.join(', ')} (thin); kept`,
      ),
    );
  }
  for (const d of here) {
    if (d === chosen) continue;
    const why =
      d.status !== 'enabled'
        ? d.status
        : d.event_payload !== 'thin'
          ? `${d.event_payload} payloads`
          : 'another thin destination';
    actions.push(note('skip', `${DESTINATION} ${d.id}`, `${serviceUrl}: ${why}; left as is`));
  }
  for (const d of destinations) if (!here.includes(d)) actions.push(notOurs(DESTINATION, d.id, urlOf(d), isManaged(d)));
  return actions;
}
