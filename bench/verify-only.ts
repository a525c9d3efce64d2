/**
 * The baseline of the ingest benchmark: a bare Koa app whose one route reads the raw body and
 * verifies the Stripe signature (what `stripe.webhooks.constructEvent` does: HMAC + JSON.parse),
 * then answers 200. The service's webhook route does this plus the durable enqueue.
 */
import { createServer, Server } from 'node:http';
import Koa from 'koa';
import getRawBody from 'raw-body';
import Stripe from 'stripe';

export function createVerifyOnlyApp(secret: string): Koa {
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/webhooks/stripe') return ctx.throw(404);
    const raw = await getRawBody(ctx.req, { limit: 1024 * 1024, length: ctx.get('content-length') || undefined });
    try {
      Stripe.webhooks.constructEvent(raw, ctx.get('stripe-signature'), secret, 300);
    } catch {
      return ctx.throw(400, 'invalid signature');
    }
    ctx.body = { received: true };
  });
  return app;
}

export function listenVerifyOnly(secret: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(createVerifyOnlyApp(secret).callback());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
