/**
 * `npm run setup`: reads the account's webhook endpoints and event destinations (one list call each),
 * plans (plan.ts), prints the plan under `--dry-run` or carries it out (apply.ts), then says which
 * STRIPE_WEBHOOK_SECRET to deploy. Needs only STRIPE_SECRET_KEY (and STRIPE_API_URL for a
 * Stripe-compatible server): it runs before the deployment has a webhook secret.
 */
import { loadConfigFields, type Config } from '../../config';
import { handlers } from '../../events/handlers';
import { createStripeClient, STRIPE_API_VERSION } from '../../stripe';
import { listEventDestinations, listWebhookEndpoints, type Listing } from '../doctor/fetch-stripe';
import { serviceWebhookUrl } from '../service-url';
import { formatAction, isWrite, type SetupAction } from './actions';
import { applyPlan, secretToDeploy, type Applied } from './apply';
import { planSetup } from './plan';

type Env = Record<string, string | undefined>;

export interface SetupOptions {
  /** The public base URL (`--url`); PUBLIC_URL when absent. */
  url?: string;
  dryRun: boolean;
  removeOld: boolean;
}

/** A problem with the command line or configuration: printed as is, nothing was called. */
export class SetupInputError extends Error {}

/** Runs setup, printing every line through `print`; resolves to the exit code. */
export async function runSetup(options: SetupOptions, print: (line: string) => void, env?: Env): Promise<number> {
  const { fields, serviceUrl } = readInputs(options, env);
  const stripe = createStripeClient({ secretKey: fields.STRIPE_SECRET_KEY!, apiUrl: fields.STRIPE_API_URL });
  const [endpoints, destinations] = await Promise.all([
    listWebhookEndpoints(stripe).then((l) => itemsOrThrow(l, 'webhook endpoints')),
    listEventDestinations(stripe).then((l) => itemsOrThrow(l, 'event destinations')),
  ]);
  const actions = planSetup({
    serviceUrl,
    engineVersion: STRIPE_API_VERSION,
    handled: Object.keys(handlers),
    endpoints,
    destinations,
    removeOld: options.removeOld,
  });
  print(
    `setup for ${serviceUrl} on api_version ${STRIPE_API_VERSION}${options.dryRun ? ' (dry run: nothing is changed)' : ''}`,
  );
  const configured = fields.STRIPE_WEBHOOK_SECRET ?? [];
  let applied: Applied | undefined;
  if (options.dryRun) for (const action of actions) print(formatAction(action, { at: 'dry-run' }));
  else applied = await applyPlan(stripe, actions, print);
  for (const line of secretSummary(actions, configured, applied)) print(line);
  const failed = actions.some((a) => a.kind === 'note' && a.status === 'FAIL') || !!applied?.withoutSecret.length;
  return failed ? 1 : 0;
}

function readInputs(options: SetupOptions, env?: Env): { fields: Partial<Config>; serviceUrl: string } {
  const { fields, invalid } = loadConfigFields(env);
  const needed = ['STRIPE_SECRET_KEY', 'STRIPE_API_URL', 'STRIPE_WEBHOOK_SECRET', 'PUBLIC_URL'];
  const bad = invalid.filter((name) => needed.includes(name) && (name !== 'PUBLIC_URL' || options.url === undefined));
  if (bad.length)
    throw new SetupInputError(`setup needs valid ${bad.join(', ')} (see docs/configuration.md); nothing was changed`);
  const base = options.url ?? fields.PUBLIC_URL;
  if (base === undefined)
    throw new SetupInputError(
      'give the public URL: `npm run setup -- --url https://<public host>` (or set PUBLIC_URL)',
    );
  if (!/^https?:\/\/[^/]/.test(base))
    throw new SetupInputError(`--url must be an http(s) URL such as https://billing.example.com, not "${base}"`);
  return { fields, serviceUrl: serviceWebhookUrl(base) };
}

function itemsOrThrow<T>(listing: Listing<T>, what: string): T[] {
  if ('error' in listing) throw new Error(`listing ${what} failed (${listing.error}); nothing was changed`);
  return listing.items;
}

/**
 * The closing lines: under --dry-run how STRIPE_WEBHOOK_SECRET would change; after a run the exact
 * value to deploy when something was created (the configured secrets stay: they verify the endpoints
 * still running until the cut-over is done), else that nothing changes.
 */
export function secretSummary(
  actions: readonly SetupAction[],
  configured: readonly string[],
  applied?: Applied,
): string[] {
  const creates = actions.filter((a) => isWrite(a) && a.kind.startsWith('create-')).length;
  if (!applied) {
    return creates
      ? [
          `would set STRIPE_WEBHOOK_SECRET: the configured value (${configured.length} secret(s)) plus the ${creates} new secret(s) printed when setup runs`,
        ]
      : ['ok  STRIPE_WEBHOOK_SECRET: nothing new to deploy'];
  }
  if (!applied.secrets.length)
    return [
      'ok  STRIPE_WEBHOOK_SECRET: nothing new to deploy (the deployed value must hold the signing secrets of the endpoint and destination kept above)',
    ];
  return [
    `STRIPE_WEBHOOK_SECRET=${secretToDeploy(
      configured,
      applied.secrets.map((s) => s.secret),
    )}`,
    'next: deploy that value (old and new secrets: the cut-over loses nothing), restart the api, then run `npm run doctor`',
  ];
}
