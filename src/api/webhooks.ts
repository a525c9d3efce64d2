/**
 * POST /webhooks/stripe: no Stripe-Signature header → 400 before the body is read; raw body (1 MiB
 * max → 413), signature check (→ 400), then the event is enqueued with its id as job id — a Stripe
 * event on its partition, a thin event notification on the thin events queue. 200 only once Redis
 * holds the job; any enqueue failure or timeout answers 503 so Stripe retries. This route never
 * touches PostgreSQL.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type Stripe from 'stripe';
import { enqueueStripeEvent, StripeEventQueues } from '../queues/stripe-events-queue';
import type { ThinEventsQueue } from '../queues/thin-events-queue';
import { withTimeout } from '../runtime/timeout';
import { verifyWebhook } from './webhook-verify';

export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
/** How long a delivery waits for Redis to hold its job before it is answered 503. */
export const DEFAULT_ENQUEUE_TIMEOUT_MS = 3000;

export interface WebhookRouteDeps {
  queues: StripeEventQueues;
  thinEvents: ThinEventsQueue;
  /** Parses thin event notifications (stripe-node's `parseEventNotification`). */
  stripe?: Stripe;
  secrets: readonly string[];
  log: Logger;
  enqueueTimeoutMs: number;
  metrics?: Metrics;
}

/** Final HTTP status → outcome label of billing_webhook_requests_total. */
const OUTCOMES: Record<number, string> = { 200: 'accepted', 400: 'rejected', 413: 'too_large', 503: 'unavailable' };

/** Counts every delivery once by its final status, including the 413 thrown by getRawBody. */
function countOutcome(metrics: Metrics | undefined): Middleware {
  return async (ctx, next) => {
    let status = 500;
    try {
      await next();
      status = ctx.status;
    } catch (error) {
      status = (error as { status?: number }).status ?? 500;
      throw error;
    } finally {
      metrics?.webhookRequests.inc({ outcome: ctx.state.webhookOutcome ?? OUTCOMES[status] ?? 'error' });
    }
  };
}

export function webhookRoutes(deps: WebhookRouteDeps): Router {
  const router = new Router();
  router.post('/webhooks/stripe', countOutcome(deps.metrics), async (ctx) => {
    // Nothing could verify an unsigned body: refused before a byte of it is read, and not drained.
    if (!ctx.get('stripe-signature')) {
      deps.log.warn({ reason: 'missing Stripe-Signature header' }, 'webhook rejected');
      deps.metrics?.webhookSignatureFailures.inc();
      ctx.set('Connection', 'close');
      return ctx.throw(400, 'missing Stripe-Signature header');
    }
    const raw = await getRawBody(ctx.req, {
      limit: WEBHOOK_BODY_LIMIT_BYTES,
      length: ctx.get('content-length') || undefined,
    });
    const verified = verifyWebhook(raw, ctx.get('stripe-signature') || undefined, deps.secrets, undefined, deps.stripe);
    if (!verified.ok) {
      deps.log.warn({ reason: verified.reason }, 'webhook rejected');
      if (/signature/i.test(verified.reason)) deps.metrics?.webhookSignatureFailures.inc();
      return ctx.throw(400, verified.reason);
    }
    const event = verified.event ?? verified.thin;
    const timer = deps.metrics?.enqueueDuration.startTimer({ source: 'webhook' });
    try {
      const outcome = await withTimeout(
        verified.thin
          ? deps.thinEvents.enqueue(verified.thin)
          : enqueueStripeEvent(deps.queues, verified.event, 'webhook'),
        deps.enqueueTimeoutMs,
        'enqueue',
      );
      timer?.();
      if (outcome === 'rearmed') ctx.state.webhookOutcome = 'rearmed';
      deps.log.debug({ eventId: event.id, eventType: event.type, outcome }, 'webhook enqueued');
    } catch (error) {
      deps.log.error({ eventId: event.id, err: error }, 'webhook could not be enqueued');
      ctx.throw(503, 'could not enqueue the event; retry later', { cause: error });
    }
    ctx.status = 200;
    ctx.body = { received: true };
  });
  return router;
}
