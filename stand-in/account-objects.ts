/**
 * Builders of the account-level objects `npm run doctor` lists: webhook endpoints, event destinations,
 * Billing Meters and Customer Portal configurations, from Stripe's sample objects (stand-in/fixtures;
 * event destinations, which have none, from stripe-node's type). Tests `put()` them
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

/**
 * An enabled thin-payload `v2.core.event_destination` sending the two meter error events to the
 * engine's route. Stored with its URL; the stand-in answers it only when `include` asks (event-destinations.ts).
 */
export function eventDestination(
  overrides: Partial<Stripe.V2.Core.EventDestination> = {},
): Stripe.V2.Core.EventDestination {
  const t = new Date().toISOString();
  return {
    id: randomId('ed', 24),
    object: 'v2.core.event_destination',
    created: t,
    updated: t,
    description: '',
    enabled_events: ['v1.billing.meter.error_report_triggered', 'v1.billing.meter.no_meter_found'],
    event_payload: 'thin',
    events_from: ['@self'],
    livemode: false,
    metadata: {},
    name: 'billing engine meter errors',
    status: 'enabled',
    type: 'webhook_endpoint',
    webhook_endpoint: { url: 'https://billing.example.com/webhooks/stripe' },
    ...overrides,
  };
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
