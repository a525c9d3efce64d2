/**
 * Typed job payloads. The webhook route stores the verified event's envelope around its object;
 * the worker treats it as `unknown` until validated again (see queues/stripe-event.ts).
 */
export interface StripeEventJob {
  /**
   * The verified Stripe event, trimmed to its envelope (queues/stripe-event.ts `parseStripeEvent`:
   * id, object, type, created, livemode, api_version) around the object exactly as Stripe sent it.
   */
  event: unknown;
  /**
   * Who enqueued it: the webhook route (api/webhooks.ts) or the replay of missed events
   * (ops/replay.ts). Backfill never enqueues: it applies listed objects directly (events/snapshot.ts).
   * Only the worker's log line reads it, so a job stored by any version runs whatever it says.
   */
  source: 'webhook' | 'replay';
}

/**
 * A usage drain: scheduled, early (threshold), manual, or an invoice flush, which claims only the
 * customers waiting in the flush set (open claims of anyone are still resumed).
 */
export interface UsageDrainJob {
  reason: 'schedule' | 'threshold' | 'invoice' | 'manual';
}

/**
 * A usage flush asked for by `invoice.created` of a subscription: events/handlers/invoice.ts
 * declares it as an after-commit effect, usage/invoice-flush.ts carries it out (that customer's
 * pending usage drains before the invoice finalizes).
 */
export interface UsageFlushRequest {
  effect: 'usage_flush';
  customer: string;
  subscription: string;
  invoice: string;
}
