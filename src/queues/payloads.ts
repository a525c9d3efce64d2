/**
 * Typed job payloads. The webhook route stores the verified event as received; the worker treats
 * it as `unknown` until validated (see jobs/stripe-event-schema.ts).
 */
export interface StripeEventJob {
  /** The verified Stripe event, exactly as Stripe sent it. */
  event: unknown;
  /** Where it came from: a webhook delivery, a backfill or a replay. */
  source: 'webhook' | 'backfill' | 'replay';
}

/** A usage drain: scheduled, early (threshold), or one customer's usage at once (invoice.created). */
export interface UsageDrainJob {
  reason: 'schedule' | 'threshold' | 'invoice' | 'manual';
  /** Only this customer's pending usage is claimed (open claims of anyone are still resumed). */
  customer?: string;
}
