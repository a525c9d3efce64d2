/**
 * Builders of the account-level objects `npm run doctor` lists: webhook endpoints, Billing Meters and
 * Customer Portal configurations, from Stripe's sample objects (stand-in/fixtures). Tests `put()` them
 * into a stand-in. `livemode` defaults to false (a test-mode account); give `livemode: true` to play a
 * live-mode account. Overrides replace top-level fields.
 */
import type Stripe from 'stripe';
import { fixture } from './events';
import { nowSeconds, randomId } from './util';

/** An enabled `webhook_endpoint` on the engine's route and version, sending every event (`*`). */
export function webhookEndpoint(overrides: Partial<Stripe.WebhookEndpoint> = {}): Stripe.WebhookEndpoint {
  return {
    ...fixture('webhook_endpoint'),
    id: randomId('we', 24),
    created: nowSeconds(),
    livemode: false,
    description: null,
    enabled_events: ['*'],
    url: 'https://billing.example.com/webhooks/stripe',
    ...overrides,
  } as unknown as Stripe.WebhookEndpoint;
}

/** An active `billing.meter` for `event_name` (summing `value`, customer by id). */
export function billingMeter(overrides: Partial<Stripe.Billing.Meter> & { event_name: string }): Stripe.Billing.Meter {
  const t = nowSeconds();
  return {
    ...fixture('billing.meter'),
    id: randomId('mtr', 24),
    created: t,
    updated: t,
    livemode: false,
    display_name: overrides.event_name,
    ...overrides,
  } as unknown as Stripe.Billing.Meter;
}

/** An active default `billing_portal.configuration`. */
export function portalConfiguration(
  overrides: Partial<Stripe.BillingPortal.Configuration> = {},
): Stripe.BillingPortal.Configuration {
  const t = nowSeconds();
  return {
    ...fixture('billing_portal.configuration'),
    id: randomId('bpc', 24),
    created: t,
    updated: t,
    livemode: false,
    ...overrides,
  } as unknown as Stripe.BillingPortal.Configuration;
}
