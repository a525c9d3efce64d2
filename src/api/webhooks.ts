/**
 * POST /webhooks/stripe: raw body (1 MiB max → 413), signature check (→ 400), then the event is
 * enqueued with its id as job id. 200 only once Redis holds the job; any enqueue failure or
 * timeout answers 503 so Stripe retries. This route never touches PostgreSQL.
 */
import Router from '@koa/router';
import getRawBody from 'raw-body';
import type { Logger } from '../logger';
import { enqueueStripeEvent, StripeEventsQueue } from '../queues/stripe-events-queue';
import { withTimeout } from './timeout';
import { verifyWebhook } from './webhook-verify';

export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

export interface WebhookRouteDeps {
  queue: StripeEventsQueue;
  secrets: readonly string[];
  log: Logger;
  enqueueTimeoutMs: number;
}

export function webhookRoutes(deps: WebhookRouteDeps): Router {
  const router = new Router();
  router.post('/webhooks/stripe', async (ctx) => {
    const raw = await getRawBody(ctx.req, { limit: WEBHOOK_BODY_LIMIT_BYTES, length: ctx.get('content-length') || undefined });
    const verified = verifyWebhook(raw, ctx.get('stripe-signature') || undefined, deps.secrets);
    if (!verified.ok) {
      deps.log.warn({ reason: verified.reason }, 'webhook rejected');
      return ctx.throw(400, verified.reason);
    }
    const { event } = verified;
    try {
      const outcome = await withTimeout(enqueueStripeEvent(deps.queue, event, 'webhook'), deps.enqueueTimeoutMs, 'enqueue');
      deps.log.debug({ eventId: event.id, eventType: event.type, outcome }, 'webhook enqueued');
    } catch (error) {
      deps.log.error({ eventId: event.id, err: (error as Error).message }, 'webhook could not be enqueued');
      ctx.throw(503, 'could not enqueue the event; retry later');
    }
    ctx.status = 200;
    ctx.body = { received: true };
  });
  return router;
}
