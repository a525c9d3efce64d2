/**
 * Carries out a setup plan through stripe-node, in the plan's order, printing each line once its
 * write is done: the SDK's retries and the idempotency keys it puts on every retried POST (and every
 * v2 POST and DELETE) make a flaky network safe. A new signing secret is printed the moment it exists,
 * before anything else can fail: Stripe shows it only in the create answer.
 */
import type Stripe from 'stripe';
import { formatAction, type SetupAction, type SetupWrite } from './actions';

export interface NewSecret {
  /** `webhook endpoint we_…` or `event destination ed_…`. */
  owner: string;
  secret: string;
}

export interface Applied {
  secrets: NewSecret[];
  /** Objects created whose answer carried no secret (it must be revealed in the Dashboard). */
  withoutSecret: string[];
}

export async function applyPlan(
  stripe: Stripe,
  actions: readonly SetupAction[],
  print: (line: string) => void,
): Promise<Applied> {
  const applied: Applied = { secrets: [], withoutSecret: [] };
  for (const action of actions) {
    if (action.kind === 'note') {
      print(formatAction(action));
      continue;
    }
    const done = await write(stripe, action);
    print(formatAction(action, { at: 'done', id: done.id }));
    if (!action.kind.startsWith('create-')) continue;
    const owner = `${action.check} ${done.id}`;
    if (done.secret) {
      applied.secrets.push({ owner, secret: done.secret });
      print(`secret ${owner}: ${done.secret} (shown once: Stripe never shows it again)`);
    } else {
      applied.withoutSecret.push(owner);
      print(
        `FAIL ${owner}: Stripe's answer carried no signing secret — reveal it in the Dashboard (Developers → Webhooks) and add it to STRIPE_WEBHOOK_SECRET`,
      );
    }
  }
  return applied;
}

async function write(stripe: Stripe, action: SetupWrite): Promise<{ id: string; secret?: string }> {
  switch (action.kind) {
    case 'create-endpoint': {
      const endpoint = await stripe.webhookEndpoints.create(action.params);
      return { id: endpoint.id, secret: endpoint.secret };
    }
    case 'update-endpoint':
      await stripe.webhookEndpoints.update(action.id, action.params);
      return { id: action.id };
    case 'delete-endpoint':
      await stripe.webhookEndpoints.del(action.id);
      return { id: action.id };
    case 'create-destination': {
      const destination = await stripe.v2.core.eventDestinations.create(action.params);
      return { id: destination.id, secret: destination.webhook_endpoint?.signing_secret };
    }
    case 'update-destination':
      await stripe.v2.core.eventDestinations.update(action.id, action.params);
      return { id: action.id };
  }
}

/**
 * The STRIPE_WEBHOOK_SECRET to deploy: the configured secrets first (they still verify the endpoints
 * that keep running during the cut-over), then the new ones, each once.
 */
export function secretToDeploy(configured: readonly string[], created: readonly string[]): string {
  return [...new Set([...configured, ...created])].join(',');
}
