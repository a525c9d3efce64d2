/**
 * POST /v1/customers/:id/portal-sessions: a Stripe Customer Portal session for one customer.
 *
 * Body: `{"return_url": "https://…", "flow": "<flow type>"?, "subscription": "sub_…"?, "items": [...]?}`.
 * The subscription flows need a subscription: `subscription` when given, else the customer's only
 * live subscription in the mirror. `subscription_update_confirm` also needs `items` (Stripe allows one).
 *
 * Unknown customer → 404: a customer the mirror holds as deleted is refused without asking Stripe;
 * one the mirror has not seen yet (its customer.created may still be on the way) is passed to
 * Stripe, whose `resource_missing` on `customer` becomes the 404. Any other Stripe error → 502
 * carrying Stripe's message only.
 */
import type { Context } from 'koa';
import Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { Customer, Subscription } from '../entities';
import { readJsonBody } from './json-body';

type FlowType = Stripe.BillingPortal.SessionCreateParams.FlowData.Type;

export const PORTAL_FLOWS = [
  'payment_method_update',
  'customer_update',
  'subscription_cancel',
  'subscription_pause',
  'subscription_update',
  'subscription_update_confirm',
] as const satisfies readonly FlowType[];

type PortalFlow = (typeof PORTAL_FLOWS)[number];
const SUBSCRIPTION_FLOWS: ReadonlySet<PortalFlow> = new Set([
  'subscription_cancel',
  'subscription_pause',
  'subscription_update',
  'subscription_update_confirm',
]);

export const portalRequestSchema = z.object({
  return_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  flow: z.enum(PORTAL_FLOWS, { error: `must be one of ${PORTAL_FLOWS.join(', ')}` }).optional(),
  subscription: z
    .string()
    .regex(/^sub_[A-Za-z0-9]+$/, 'must look like sub_…')
    .optional(),
  items: z
    .array(
      z.object({
        id: z.string().min(1),
        price: z.string().min(1).optional(),
        quantity: z.number().int().min(0).optional(),
      }),
    )
    .length(1, 'Stripe accepts exactly one item')
    .optional(),
});

export type PortalRequest = z.infer<typeof portalRequestSchema>;

/** The flow_data Stripe expects for `flow` (pure); after completion the customer returns to return_url. */
export function portalFlowData(
  request: PortalRequest,
  subscription: string | undefined,
): Stripe.BillingPortal.SessionCreateParams.FlowData | undefined {
  const { flow } = request;
  if (!flow) return undefined;
  const base = {
    type: flow,
    after_completion: { type: 'redirect' as const, redirect: { return_url: request.return_url } },
  };
  if (!SUBSCRIPTION_FLOWS.has(flow)) return base;
  if (!subscription) throw new Error('a subscription flow needs a subscription');
  if (flow === 'subscription_update_confirm') {
    if (!request.items) throw new Error('subscription_update_confirm needs items');
    return { ...base, subscription_update_confirm: { subscription, items: request.items } };
  }
  return { ...base, [flow]: { subscription } };
}

export interface PortalDeps {
  dataSource: DataSource;
  stripe?: Stripe;
}

/** Resolves the subscription a flow acts on, or throws a 400 that says what is missing. */
async function flowSubscription(
  ctx: Context,
  deps: PortalDeps,
  customerId: string,
  request: PortalRequest,
): Promise<string | undefined> {
  if (!request.flow || !SUBSCRIPTION_FLOWS.has(request.flow)) return undefined;
  if (request.flow === 'subscription_update_confirm' && !request.items)
    ctx.throw(400, 'items: required for subscription_update_confirm');
  if (request.subscription) return request.subscription;
  const live = await deps.dataSource.getRepository(Subscription).find({
    where: { stripeCustomerId: customerId, deleted: false },
    select: { stripeId: true, status: true },
  });
  const candidates = live.filter((s) => !['canceled', 'incomplete_expired'].includes(s.status));
  if (candidates.length === 1) return candidates[0].stripeId;
  return ctx.throw(
    400,
    candidates.length === 0
      ? `subscription: customer has no live subscription for flow ${request.flow}`
      : 'subscription: customer has several subscriptions; say which one',
  );
}

export async function createPortalSession(ctx: Context, deps: PortalDeps, customerId: string): Promise<void> {
  const parsed = portalRequestSchema.safeParse(await readJsonBody(ctx));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return ctx.throw(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  const request = parsed.data;
  const stored = await deps.dataSource
    .getRepository(Customer)
    .findOne({ where: { stripeId: customerId }, select: { stripeId: true, deleted: true } });
  if (stored?.deleted) return ctx.throw(404, `unknown customer ${customerId}`);
  const subscription = await flowSubscription(ctx, deps, customerId, request);
  if (!deps.stripe) return ctx.throw(503, 'Stripe is not configured for this role');
  try {
    const flowData = portalFlowData(request, subscription);
    const session = await deps.stripe.billingPortal.sessions.create({
      customer: customerId,
      return_url: request.return_url,
      ...(flowData ? { flow_data: flowData } : {}),
    });
    ctx.status = 201;
    ctx.body = { url: session.url };
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    if (error.code === 'resource_missing' && error.param === 'customer')
      return ctx.throw(404, `unknown customer ${customerId}`);
    // Stripe's own message helps the caller; no stack or request details leave the service (the log
    // line of the 5xx has them, through the cause).
    return ctx.throw(502, `Stripe: ${error.message}`, { expose: true, cause: error });
  }
}
