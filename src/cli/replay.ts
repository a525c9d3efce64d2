/**
 * `npm run replay -- --since <ISO time> [--undelivered-only] [--wait-seconds 60]`: lists Stripe
 * events since that time (at most 30 days back) and enqueues those the mirror has not applied,
 * through the same path as webhooks. A running worker applies them; this command waits up to
 * --wait-seconds to report how many mirror rows changed.
 */
import { parseArgs } from 'node:util';
import { RateLimiter } from '../lib/rate-limiter';
import { runReplay } from '../ops/replay';
import { createStripeEventQueues } from '../queues/stripe-events-queue';
import { connectRedis, createProducerRedis, redisTarget } from '../runtime/redis';
import { fail, openOpsContext } from './ops-context';

function parseSince(value: string | undefined): number {
  if (!value) throw new Error('--since <ISO time> is required, e.g. --since 2026-11-01T00:00:00Z');
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`--since: not an ISO time: ${value}`);
  return Math.floor(ms / 1000);
}

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: { since: { type: 'string' }, 'undelivered-only': { type: 'boolean' }, 'wait-seconds': { type: 'string' } },
  });
  const since = parseSince(values.since);
  const waitMs = Number(values['wait-seconds'] ?? 60) * 1000;
  const ctx = await openOpsContext();
  const redis = createProducerRedis(redisTarget(ctx.config));
  await connectRedis(redis);
  const queues = createStripeEventQueues(redis, ctx.config.KEY_PREFIX, ctx.config.EVENT_QUEUE_PARTITIONS);
  try {
    const report = await runReplay(
      {
        stripe: ctx.stripe,
        queues,
        dataSource: ctx.dataSource,
        log: ctx.log,
        limiter: new RateLimiter(ctx.config.BACKFILL_RATE_PER_SECOND),
        backoff: {
          onRateLimited: (attempt, ms) => console.log(`Stripe answered 429: waiting ${ms} ms (attempt ${attempt})`),
        },
      },
      { since, undeliveredOnly: values['undelivered-only'], waitMs },
    );
    if (report.clamped) console.log(`the Events API keeps 30 days: listing from ${report.since}`);
    console.log(
      `replay since ${report.since}${report.undeliveredOnly ? ' (undelivered only)' : ''}: ` +
        `${report.found} events found in ${report.pages} pages, ${report.handled} of handled types, ${report.new} new (enqueued); ` +
        `${report.changed} changed the mirror, ${report.unchanged} no change, ${report.failed} failed, ${report.pending} still pending`,
    );
    if (report.pending)
      console.log('pending events are applied by the worker (npm start); check Bull Board or run again later');
  } finally {
    await queues.close();
    await redis.quit();
    await ctx.dataSource.destroy();
  }
}

run().catch((error: unknown) => fail('replay', error));
