/**
 * `npm run doctor`: runs every check in order and returns one result per line to print. Nothing is
 * changed anywhere; each Stripe check is one list call. Checks that depend on a broken variable or an
 * unreachable service say so instead of running.
 */
import type Stripe from 'stripe';
import { ConfigError, loadConfig, loadConfigFields, type Config } from '../../config';
import { handlers } from '../../events/handlers';
import { maskUrl } from '../../lib/mask-url';
import { describeTarget, redisTarget } from '../../runtime/redis';
import { createStripeClient, STRIPE_API_VERSION } from '../../stripe';
import { serviceWebhookUrl } from '../service-url';
import { readDatabase, knownMigrationNames } from './fetch-database';
import { readRedis } from './fetch-redis';
import {
  listEventDestinations,
  listMeters,
  listPortalConfigurations,
  listWebhookEndpoints,
  type Listing,
} from './fetch-stripe';
import { eventDestinationResult } from './event-destinations';
import { configurationResults, databaseResults, redisResult } from './infrastructure';
import { meterResults } from './meters';
import { portalResult } from './portal';
import { CheckResult, fail, redactSecrets } from './result';
import { stripeKeyResult } from './stripe-key';
import { usageConfirmationResult } from './usage-confirmation';
import { webhookEndpointResults } from './webhook-endpoints';

type Env = Record<string, string | undefined>;

const FIX_CONFIG = 'fix the configuration above, then run the doctor again';

export async function runDoctor(env?: Env): Promise<CheckResult[]> {
  const { fields, invalid } = loadConfigFields(env);
  const usable = (name: keyof Config) => !invalid.includes(name);
  const results = configurationResults(configProblems(env));

  const redisUsable =
    usable('REDIS_URL') &&
    usable('REDIS_CLUSTER_NODES') &&
    usable('KEY_PREFIX') &&
    fields.REDIS_URL &&
    fields.KEY_PREFIX;
  const target = redisUsable
    ? redisTarget({ REDIS_URL: fields.REDIS_URL!, REDIS_CLUSTER_NODES: fields.REDIS_CLUSTER_NODES })
    : undefined;
  const [database, redis] = await Promise.all([
    usable('DATABASE_URL') && fields.DATABASE_URL ? readDatabase(fields.DATABASE_URL) : undefined,
    target ? readRedis(target, fields.KEY_PREFIX!) : undefined,
  ]);
  if (database) results.push(...databaseResults(maskUrl(fields.DATABASE_URL!), database.facts, knownMigrationNames()));
  else results.push(fail('postgresql', 'not checked: DATABASE_URL is invalid', FIX_CONFIG));
  if (redis && target) results.push(redisResult(describeTarget(target), 'error' in redis ? redis.error : undefined));
  else results.push(fail('redis', 'not checked: REDIS_URL, REDIS_CLUSTER_NODES or KEY_PREFIX is invalid', FIX_CONFIG));

  const unread = [
    database?.sentMeters ? undefined : 'PostgreSQL',
    redis && 'countedMeters' in redis ? undefined : 'Redis',
  ].filter((s) => s !== undefined);
  const counted = new Set([
    ...(database?.sentMeters ?? []),
    ...(redis && 'countedMeters' in redis ? redis.countedMeters : []),
  ]);

  const key = fields.STRIPE_SECRET_KEY;
  if (!key || !usable('STRIPE_API_URL')) {
    results.push(
      fail('stripe', 'not checked: STRIPE_SECRET_KEY is missing or invalid, or STRIPE_API_URL is invalid', FIX_CONFIG),
    );
  } else {
    // One quick retry: a deploy pipeline wants an answer in seconds, not the service's patient defaults.
    const stripe = createStripeClient({
      secretKey: key,
      apiUrl: fields.STRIPE_API_URL,
      maxNetworkRetries: 1,
      timeoutMs: 10_000,
    });
    // PUBLIC_URL set: this service's endpoints are exactly <PUBLIC_URL>/webhooks/stripe (else a path rule).
    const serviceUrl = fields.PUBLIC_URL === undefined ? undefined : serviceWebhookUrl(fields.PUBLIC_URL);
    const where = fields.STRIPE_API_URL ?? 'https://api.stripe.com';
    results.push(...(await stripeResults(stripe, key, where, { counted, unread, serviceUrl })));
  }
  // After the meters, before the portal line (contract order); PostgreSQL alone answers it.
  const portalAt = results.findIndex((r) => r.check === 'customer portal');
  if (database?.usage)
    results.splice(portalAt < 0 ? results.length : portalAt, 0, usageConfirmationResult(database.usage));
  return redactSecrets(results, configSecrets(fields));
}

function configProblems(env?: Env): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/** What the Stripe checks need from the rest: counted meter names, unread usage sources, this service's URL. */
interface StripeCheckInputs {
  counted: Set<string>;
  unread: string[];
  serviceUrl?: string;
}

/** The key, the webhook endpoints, the event destination, the meters usage is counted for, the portal configuration. */
async function stripeResults(
  stripe: Stripe,
  key: string,
  where: string,
  { counted, unread, serviceUrl }: StripeCheckInputs,
): Promise<CheckResult[]> {
  const endpoints = await listWebhookEndpoints(stripe);
  // Every other call would fail the same way: one line that says why is clearer.
  if ('error' in endpoints) return [stripeKeyResult(key, where, endpoints)];
  const [destinations, meters, portal] = await Promise.all([
    listEventDestinations(stripe),
    counted.size ? listMeters(stripe) : Promise.resolve({ items: [] }),
    listPortalConfigurations(stripe),
  ]);
  const livemodes = [...endpoints.items, ...itemsOf(destinations), ...itemsOf(meters), ...itemsOf(portal)].map(
    (o) => o.livemode,
  );
  const results = [
    stripeKeyResult(key, where, { livemodes }),
    ...webhookEndpointResults(endpoints.items, Object.keys(handlers), STRIPE_API_VERSION, serviceUrl),
    'error' in destinations
      ? fail(
          'event destination',
          `listing event destinations failed (${destinations.error})`,
          'a restricted key needs read access to Event destinations (Workbench → Webhooks)',
        )
      : eventDestinationResult(destinations.items, serviceUrl),
  ];
  results.push(
    ...('error' in meters
      ? [
          fail(
            'meters',
            `listing meters failed (${meters.error})`,
            'a restricted key needs read access to Billing meters',
          ),
        ]
      : meterResults(counted, meters.items, unread)),
  );
  results.push(
    'error' in portal
      ? fail(
          'customer portal',
          `listing portal configurations failed (${portal.error})`,
          'a restricted key needs read access to Customer portal',
        )
      : portalResult(portal.items),
  );
  return results;
}

function itemsOf<T>(listing: Listing<T>): T[] {
  return 'items' in listing ? listing.items : [];
}

/** Every secret the configuration holds, so no printed line can carry one. */
function configSecrets(fields: Partial<Config>): string[] {
  const urlPassword = (url: string | undefined) => {
    try {
      return url ? decodeURIComponent(new URL(url).password) : '';
    } catch {
      return '';
    }
  };
  return [
    fields.STRIPE_SECRET_KEY ?? '',
    ...(fields.STRIPE_WEBHOOK_SECRET ?? []),
    ...(fields.API_KEYS ?? []),
    fields.ADMIN_PASSWORD ?? '',
    urlPassword(fields.DATABASE_URL),
    urlPassword(fields.REDIS_URL),
  ];
}
