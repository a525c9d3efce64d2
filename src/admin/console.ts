/**
 * The operator console's routes (contract: "Operator console"), served behind admin guard.ts
 * (basic auth, the cross-site and read-only rules) by src/api/admin.ts:
 *   GET  /admin                          the overview
 *   GET  /admin/customers?q=             search; one match redirects to its page
 *   GET  /admin/customers/:id            one customer's story
 *   POST /admin/customers/:id/resync     refetch from Stripe (ops/resync.ts), then the page with what changed
 *   GET  /admin/console.css              the one stylesheet
 * Pages are HTML rendered on the server, usable without JavaScript, and sent with a
 * Content-Security-Policy that allows no script at all.
 */
import Router from '@koa/router';
import type { Queue } from 'bullmq';
import type { Context } from 'koa';
import type { DataSource } from 'typeorm';
import type { AccessCache } from '../access/cache';
import { publishAccessInvalidation } from '../access/change-feed';
import type { AccessReader } from '../access/query';
import type { AccessState } from '../access/inputs';
import { CUSTOMER_ID } from '../lib/ids';
import { RateLimiter } from '../lib/rate-limiter';
import type { Logger } from '../logger';
import { type ResyncDeps, type ResyncReport, resyncCustomer } from '../ops/resync';
import type { RedisConnection } from '../runtime/redis';
import type { CustomerUsage } from '../usage/usage-query';
import { type CustomerStory, type CustomerStoryDeps, loadCustomerStory } from './customer-model';
import { customerBody, customerTitle, type ResyncResult } from './customer-page';
import { storyChanges } from './customer-view';
import type { Html } from './html';
import { CONSOLE_BASE, CONTENT_SECURITY_POLICY, page, STYLESHEET, STYLESHEET_PATH } from './layout';
import { loadOverview } from './overview-model';
import { overviewBody } from './overview-page';
import { queueKind } from './queue-kinds';
import { classifyQuery, customerPath, searchBody, searchCustomers } from './search';

export interface ConsoleDeps {
  dataSource: DataSource;
  redis: RedisConnection;
  /** Every queue the service wires (event partitions, usage drain, notifications, maintenance). */
  queues: readonly Queue[];
  /** The access API's own reader (and cache): the page shows its answer. */
  access: AccessReader;
  /** The usage route's own query; without it the usage section says it is not served. */
  customerUsage?: (customer: string) => Promise<CustomerUsage>;
  /** The resync engine; without it (no Stripe client) the resync button is disabled and the route 503s. */
  resync?: (customer: string) => Promise<ResyncReport>;
  /** Dashboard links go to live mode (else test mode). */
  live: boolean;
  readOnly: boolean;
  log: Logger;
}

export interface ConsoleResyncDeps extends Omit<ResyncDeps, 'limiter' | 'access'> {
  redis: RedisConnection;
  keyPrefix: string;
  graceSeconds: number;
  /** Notifications are on (ACCESS_WEBHOOK_URL): a changed answer writes its outbox row, the sweep sends it. */
  notify: boolean;
  /** Stripe requests per second (BACKFILL_RATE_PER_SECOND). */
  ratePerSecond: number;
  /** This process's access answers in memory: dropped at once, so the page after a resync reads the new answer. */
  accessCache?: AccessCache<AccessState>;
}

/** The resync engine as the console runs it: the access step, the change feed, this process's cache. */
export function consoleResync(deps: ConsoleResyncDeps): (customer: string) => Promise<ResyncReport> {
  const limiter = new RateLimiter(deps.ratePerSecond);
  const invalidate = async (customers: string[]) => {
    await publishAccessInvalidation(deps.redis, deps.keyPrefix, customers);
    deps.accessCache?.invalidate(customers);
  };
  const access = { graceSeconds: deps.graceSeconds, notify: deps.notify, invalidate };
  return (customer) => resyncCustomer({ ...deps, limiter, access }, customer);
}

function send(ctx: Context, deps: ConsoleDeps, title: string, body: Html, query?: string): void {
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  ctx.body = page({ title, readOnly: deps.readOnly, query }, body).text;
}

function customerParam(ctx: Context & { params: Record<string, string> }): string {
  const id = ctx.params.id;
  if (!CUSTOMER_ID.test(id)) ctx.throw(400, 'customer id must look like cus_…');
  return id;
}

export function consoleRoutes(deps: ConsoleDeps): Router {
  const router = new Router({ prefix: CONSOLE_BASE });
  const storyDeps: CustomerStoryDeps = {
    dataSource: deps.dataSource,
    access: deps.access,
    customerUsage: deps.customerUsage,
    notificationsQueue: deps.queues.find((q) => queueKind(q.name) === 'access-notifications'),
  };
  const customerPage = (ctx: Context, story: CustomerStory, resync?: ResyncResult) => {
    const options = { live: deps.live, readOnly: deps.readOnly, canResync: deps.resync !== undefined, resync };
    send(ctx, deps, customerTitle(story), customerBody(story, options));
  };

  router.get('/', async (ctx) => {
    const overview = await loadOverview(deps);
    send(ctx, deps, 'Overview', overviewBody(overview, deps.live));
  });
  router.get(STYLESHEET_PATH.slice(CONSOLE_BASE.length), (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'private, max-age=300');
    ctx.body = STYLESHEET;
  });
  router.get('/customers', async (ctx) => {
    const raw = typeof ctx.query.q === 'string' ? ctx.query.q : undefined;
    const query = classifyQuery(raw);
    const matches = await searchCustomers(deps.dataSource, query);
    if (matches.length === 1) return ctx.redirect(customerPath(matches[0].customer));
    send(ctx, deps, 'Find a customer', searchBody(query, matches), raw);
  });
  router.get('/customers/:id', async (ctx) =>
    customerPage(ctx, await loadCustomerStory(storyDeps, customerParam(ctx))),
  );
  router.post('/customers/:id/resync', async (ctx) => {
    const id = customerParam(ctx);
    if (!deps.resync) return ctx.throw(503, 'resync needs a Stripe client');
    const before = await loadCustomerStory(storyDeps, id);
    let report: ResyncReport | undefined;
    let failure: string | undefined;
    try {
      report = await deps.resync(id);
    } catch (error) {
      deps.log.warn({ err: error, customerId: id }, 'console resync failed');
      failure = (error as Error).message;
    }
    const after = await loadCustomerStory(storyDeps, id);
    const result: ResyncResult = report ? { report, changes: storyChanges(before, after) } : { error: failure ?? '' };
    if (report) deps.log.info({ customerId: id, objects: report.objects.length }, 'console resync');
    customerPage(ctx, after, result);
  });
  return router;
}
