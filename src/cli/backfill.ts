/**
 * `npm run backfill [-- --restart] [-- --resources customers,subscriptions] [-- --page-size 100]`:
 * pulls Stripe's current products, prices, customers, subscriptions and invoices into the mirror
 * (see src/ops/backfill.ts). Paced at BACKFILL_RATE_PER_SECOND; Ctrl-C stops after the current
 * page and the next run resumes there.
 */
import { parseArgs } from 'node:util';
import { ALL_RESOURCES, BackfillProgress, BackfillResource, runBackfill } from '../ops/backfill';
import { RateLimiter } from '../lib/rate-limiter';
import { publishAccessInvalidation } from '../access/change-feed';
import { connectRedis, createProducerRedis, redisTarget } from '../runtime/redis';
import { fail, openOpsContext } from './ops-context';

function parseResources(value: string | undefined): BackfillResource[] | undefined {
  if (!value) return undefined;
  const names = value.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(ALL_RESOURCES as string[]).includes(n));
  if (unknown.length)
    throw new Error(`unknown resource(s) ${unknown.join(', ')}; choose from ${ALL_RESOURCES.join(', ')}`);
  return names as BackfillResource[];
}

const line = (p: BackfillProgress) =>
  `${p.resource.padEnd(13)} page ${String(p.pages).padStart(4)}  ${String(p.objects).padStart(7)} objects  ${String(p.changed).padStart(7)} written` +
  `  ${p.objectsPerSecond.toFixed(1)} obj/s  ${p.requestsPerSecond.toFixed(2)} req/s  ` +
  (p.hasMore ? 'more pages to go' : 'done') +
  `  (resources left: ${p.remainingResources.join(', ') || 'none'})`;

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: { restart: { type: 'boolean' }, resources: { type: 'string' }, 'page-size': { type: 'string' } },
  });
  const resources = parseResources(values.resources);
  const ctx = await openOpsContext();
  // The api processes' access caches must hear of every customer the backfill changes.
  const redis = createProducerRedis(redisTarget(ctx.config));
  await connectRedis(redis);
  const controller = new AbortController();
  const stop = (signal: string) => {
    console.log(`${signal}: stopping after the current page (run again to resume)`);
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`backfill at most ${ctx.config.BACKFILL_RATE_PER_SECOND} Stripe requests/s`);
  try {
    const report = await runBackfill(
      {
        stripe: ctx.stripe,
        dataSource: ctx.dataSource,
        log: ctx.log,
        limiter: new RateLimiter(ctx.config.BACKFILL_RATE_PER_SECOND),
        access: {
          graceSeconds: ctx.config.ACCESS_GRACE_PERIOD_SECONDS,
          notify: ctx.config.ACCESS_WEBHOOK_URL !== undefined,
          invalidate: (customers) => publishAccessInvalidation(redis, ctx.config.KEY_PREFIX, customers),
        },
        backoff: {
          onRateLimited: (attempt, ms) => console.log(`Stripe answered 429: waiting ${ms} ms (attempt ${attempt})`),
        },
      },
      {
        resources,
        restart: values.restart,
        pageSize: values['page-size'] ? Number(values['page-size']) : undefined,
        signal: controller.signal,
        onProgress: (p) => console.log(line(p)),
      },
    );
    if (report.resumed.length)
      console.log(`resumed an interrupted run (already started: ${report.resumed.join(', ')})`);
    console.log(
      `${report.completed ? 'backfill complete' : 'backfill interrupted'}: ${report.objects} objects, ${report.requests} list requests in ${report.seconds.toFixed(1)} s`,
    );
    process.exitCode = report.completed ? 0 : 130;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    await ctx.dataSource.destroy();
  }
}

run().catch((error: unknown) => fail('backfill', error));
