/**
 * The event destination check: Stripe reports usage it rejected after accepting it (asynchronous
 * validation) only as thin events, sent by an event destination (not by a classic webhook
 * endpoint). Together, the enabled thin-payload destinations whose webhook URL is this service's
 * must send both meter error event types, or rejected usage goes unnoticed.
 */
import type Stripe from 'stripe';
import { pointsAtService, SERVICE_PATH } from '../service-url';
import { CheckResult, fail, ok } from './result';

/** The thin events of Stripe's asynchronous meter event validation. */
export const METER_ERROR_EVENT_TYPES = [
  'v1.billing.meter.error_report_triggered',
  'v1.billing.meter.no_meter_found',
] as const;

export type DestinationView = Pick<
  Stripe.V2.Core.EventDestination,
  'id' | 'type' | 'status' | 'event_payload' | 'enabled_events' | 'webhook_endpoint'
>;

const isMeterErrorType = (type: string) => (METER_ERROR_EVENT_TYPES as readonly string[]).includes(type);

/** A thin-payload webhook destination, enabled, whose URL is this service's. */
export function sendsThinHere(destination: DestinationView, serviceUrl?: string): boolean {
  const url = destination.webhook_endpoint?.url;
  return (
    destination.type === 'webhook_endpoint' &&
    destination.status === 'enabled' &&
    destination.event_payload === 'thin' &&
    typeof url === 'string' &&
    pointsAtService(url, serviceUrl)
  );
}

/** Meter error event types not sent to this service by any enabled thin destination. */
export function missingMeterErrorTypes(destinations: readonly DestinationView[], serviceUrl?: string): string[] {
  const sent = new Set(destinations.filter((d) => sendsThinHere(d, serviceUrl)).flatMap((d) => d.enabled_events));
  return METER_ERROR_EVENT_TYPES.filter((type) => !sent.has(type));
}

export function eventDestinationResult(destinations: readonly DestinationView[], serviceUrl?: string): CheckResult {
  const where = serviceUrl ?? `a URL ending in ${SERVICE_PATH}`;
  const missing = missingMeterErrorTypes(destinations, serviceUrl);
  if (missing.length) {
    return fail(
      'event destination',
      `no enabled event destination sends ${missing.join(', ')} to ${where} (thin payloads): usage Stripe rejects after accepting it goes unnoticed`,
      serviceUrl === undefined
        ? 'run `npm run setup -- --url https://<this service>` (it creates the destination and prints its secret for STRIPE_WEBHOOK_SECRET)'
        : 'run `npm run setup` (it creates the destination and prints its secret for STRIPE_WEBHOOK_SECRET)',
    );
  }
  const ids = destinations
    .filter((d) => sendsThinHere(d, serviceUrl) && d.enabled_events.some((t) => isMeterErrorType(t)))
    .map((d) => d.id);
  return ok('event destination', `${ids.join(', ')} send(s) ${METER_ERROR_EVENT_TYPES.join(', ')} to ${where} (thin)`);
}
