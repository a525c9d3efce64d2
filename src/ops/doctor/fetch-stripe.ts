/**
 * Reads the Stripe account objects the checks need: each is one list call (auto-pagination makes
 * more only past 100 objects). A failing call is returned as its error text, not thrown.
 */
import Stripe from 'stripe';

export type Listing<T> = { error: string } | { items: T[] };

// Stripe allows 16 webhook endpoints per account; event destinations, meters and portal
// configurations rarely pass 100.
const PAGE = { limit: 100 } as const;
const MOST = 10_000;

export function listWebhookEndpoints(stripe: Stripe): Promise<Listing<Stripe.WebhookEndpoint>> {
  return settle(() => stripe.webhookEndpoints.list(PAGE).autoPagingToArray({ limit: MOST }));
}

/** Event destinations with their webhook URL, which Stripe answers only when asked with `include`. */
export function listEventDestinations(stripe: Stripe): Promise<Listing<Stripe.V2.Core.EventDestination>> {
  return settle(() =>
    stripe.v2.core.eventDestinations
      .list({ ...PAGE, include: ['webhook_endpoint.url'] })
      .autoPagingToArray({ limit: MOST }),
  );
}

export function listMeters(stripe: Stripe): Promise<Listing<Stripe.Billing.Meter>> {
  return settle(() => stripe.billing.meters.list(PAGE).autoPagingToArray({ limit: MOST }));
}

export function listPortalConfigurations(stripe: Stripe): Promise<Listing<Stripe.BillingPortal.Configuration>> {
  return settle(() => stripe.billingPortal.configurations.list(PAGE).autoPagingToArray({ limit: MOST }));
}

async function settle<T>(list: () => Promise<T[]>): Promise<Listing<T>> {
  try {
    return { items: await list() };
  } catch (error) {
    return { error: stripeErrorText(error) };
  }
}

/** `<status> <type>: <message>` for API errors (Stripe masks keys in its messages), the message otherwise. */
export function stripeErrorText(error: unknown): string {
  if (error instanceof Stripe.errors.StripeError) {
    return [error.statusCode, error.type].filter((x) => x !== undefined).join(' ') + `: ${error.message}`;
  }
  return (error as Error).message;
}
