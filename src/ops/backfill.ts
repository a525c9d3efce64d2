/**
 * Backfill: pages Stripe's list APIs (products, prices, customers, subscriptions with status=all
 * and their embedded items, invoices, then the objects of LISTED_OBJECT_TYPES kept in
 * stripe_objects) into the mirror through the same mirrors, lock and watermark rule as webhook
 * events (events/snapshot.ts, over the registry events/mirror-registry.ts).
 *
 * Which watermark a listed object gets: a list answer shows the object as it is at listing time,
 * but its own last-change second is unknown. Each page counts as `listing time − safetySeconds`
 * (default 300 s, covering list latency and clock skew against Stripe). So:
 *   - a missing row is inserted;
 *   - a row last written by an event older than that is replaced (the listing is newer);
 *   - a row written by an event in the last few minutes is left alone (it is at least as new);
 *   - the same second is refetched from Stripe, as for any tie.
 * It never beats a row that a recent webhook wrote. Deletions are not listed: they heal through
 * events (replay). Subscriptions with more items than Stripe embeds (`items.has_more`) keep the
 * embedded ones only.
 *
 * Resumable: after every fully applied page the resource's cursor (last id) is saved in
 * `backfill_cursors`. A run resumes unfinished resources; once every resource finished, the next
 * run starts over (or pass `restart`). Stripe calls are paced by a RateLimiter and 429s back off.
 */
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { AccessOptions } from '../events/access-step';
import { OBJECT_PATHS } from '../events/handlers/object-paths';
import { applySnapshot } from '../events/snapshot';
import type { Logger } from '../logger';
import type { RateLimiter } from '../lib/rate-limiter';
import { BackoffOptions, paced } from '../lib/paced-stripe-calls';

/** How far before its listing (or fetch) a snapshot counts as written: see the header (also ops/resync.ts). */
export const SNAPSHOT_SAFETY_SECONDS = 300;

type Listed = { id: string; object: string };
type ListParams = { limit: number; starting_after?: string };

interface ResourceSpec {
  /** The Stripe object type listed (its mirror: a typed table, else stripe_objects). */
  type: string;
  list(stripe: Stripe, params: ListParams): Promise<{ data: Listed[]; has_more: boolean }>;
}

/** Objects kept in stripe_objects that backfill lists: list endpoints that need no filter. */
export const LISTED_OBJECT_TYPES = [
  'charge',
  'refund',
  'dispute',
  'payment_intent',
  'setup_intent',
  'credit_note',
  'subscription_schedule',
  'coupon',
  'promotion_code',
  'quote',
  'tax_rate',
  'invoiceitem',
  'plan',
] as const;

const genericResource = (type: string): ResourceSpec => ({
  type,
  // The SDK's rawRequest takes GET parameters only in the path.
  list: (s, p) =>
    s.rawRequest(
      'GET',
      `/v1/${OBJECT_PATHS[type]}?${new URLSearchParams(Object.entries(p).map(([k, v]): [string, string] => [k, String(v)]))}`,
    ) as Promise<{ data: Listed[]; has_more: boolean }>,
});

/** In this order: products and prices before the subscriptions that refer to them; then everything else. */
export const BACKFILL_RESOURCES: Record<string, ResourceSpec> = {
  products: { type: 'product', list: (s, p) => s.products.list(p) },
  prices: { type: 'price', list: (s, p) => s.prices.list(p) },
  customers: { type: 'customer', list: (s, p) => s.customers.list(p) },
  subscriptions: { type: 'subscription', list: (s, p) => s.subscriptions.list({ ...p, status: 'all' }) },
  invoices: { type: 'invoice', list: (s, p) => s.invoices.list(p) },
  ...Object.fromEntries(LISTED_OBJECT_TYPES.map((type) => [OBJECT_PATHS[type], genericResource(type)])),
};
export type BackfillResource = string;
export const ALL_RESOURCES = Object.keys(BACKFILL_RESOURCES) as BackfillResource[];

export interface BackfillProgress {
  resource: BackfillResource;
  pages: number;
  objects: number;
  changed: number;
  hasMore: boolean;
  /** Objects per second and Stripe requests per second since this run started. */
  objectsPerSecond: number;
  requestsPerSecond: number;
  /** Resources not finished yet, this one included while hasMore. */
  remainingResources: BackfillResource[];
}

export interface BackfillDeps {
  stripe: Stripe;
  dataSource: DataSource;
  log: Logger;
  limiter: RateLimiter;
  backoff?: BackoffOptions;
  /** The access step (keeps customer_access; writes outbox rows the worker's sweep enqueues). */
  access?: AccessOptions;
}

export interface BackfillOptions {
  resources?: BackfillResource[];
  restart?: boolean;
  pageSize?: number;
  safetySeconds?: number;
  /** Objects of one page applied in parallel (default 8; each is its own transaction). */
  concurrency?: number;
  onProgress?: (progress: BackfillProgress) => void;
  /** Stops cleanly after the current page (the cursor is saved). */
  signal?: AbortSignal;
  now?: () => number;
}

export interface BackfillReport {
  completed: boolean;
  resumed: BackfillResource[];
  resources: Record<string, { pages: number; objects: number; changed: number; done: boolean }>;
  /** Stripe list requests and objects applied in this run (resumed counts excluded). */
  requests: number;
  objects: number;
  seconds: number;
}

interface CursorRow {
  resource: string;
  starting_after: string | null;
  pages_done: number;
  objects_done: number;
  rows_changed: number;
  completed_at: Date | null;
}

const SQL = {
  load: 'SELECT resource, starting_after, pages_done, objects_done, rows_changed, completed_at FROM backfill_cursors WHERE resource = ANY($1)',
  reset: 'DELETE FROM backfill_cursors WHERE resource = ANY($1)',
  save: `INSERT INTO backfill_cursors (resource, starting_after, pages_done, objects_done, rows_changed, completed_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, now())
    ON CONFLICT (resource) DO UPDATE SET starting_after = $2, pages_done = $3, objects_done = $4, rows_changed = $5, completed_at = $6, updated_at = now()`,
};

export async function runBackfill(deps: BackfillDeps, options: BackfillOptions = {}): Promise<BackfillReport> {
  const resources = options.resources ?? ALL_RESOURCES;
  const now = options.now ?? Date.now;
  const started = now();
  let cursors: CursorRow[] = await deps.dataSource.query(SQL.load, [resources]);
  const finishedBefore = cursors.length === resources.length && cursors.every((c) => c.completed_at !== null);
  if (options.restart || finishedBefore) {
    await deps.dataSource.query(SQL.reset, [resources]);
    cursors = [];
  }
  const byName = new Map(cursors.map((c) => [c.resource, c]));
  const report: BackfillReport = {
    completed: false,
    resumed: cursors.map((c) => c.resource as BackfillResource),
    resources: {},
    requests: 0,
    objects: 0,
    seconds: 0,
  };
  for (const [index, resource] of resources.entries()) {
    const cursor: CursorRow = byName.get(resource) ?? {
      resource,
      starting_after: null,
      pages_done: 0,
      objects_done: 0,
      rows_changed: 0,
      completed_at: null,
    };
    const entry = {
      pages: cursor.pages_done,
      objects: cursor.objects_done,
      changed: cursor.rows_changed,
      done: cursor.completed_at !== null,
    };
    report.resources[resource] = entry;
    while (!entry.done) {
      if (options.signal?.aborted) return finish(report, started, now);
      const listedAt = Math.floor(now() / 1000);
      report.requests++;
      const page = await paced(
        deps.limiter,
        () =>
          BACKFILL_RESOURCES[resource].list(deps.stripe, {
            limit: options.pageSize ?? 100,
            ...(cursor.starting_after ? { starting_after: cursor.starting_after } : {}),
          }),
        deps.backoff,
      );
      const watermark = listedAt - (options.safetySeconds ?? SNAPSHOT_SAFETY_SECONDS);
      const outcomes = await mapLimited(page.data, options.concurrency ?? 8, (object) =>
        applySnapshot(deps, BACKFILL_RESOURCES[resource].type, object, watermark),
      );
      entry.changed += outcomes.filter((o) => o !== 'skipped').length;
      entry.pages++;
      entry.objects += page.data.length;
      report.objects += page.data.length;
      entry.done = !page.has_more || page.data.length === 0;
      cursor.starting_after = page.data.at(-1)?.id ?? cursor.starting_after;
      await deps.dataSource.query(SQL.save, [
        resource,
        cursor.starting_after,
        entry.pages,
        entry.objects,
        entry.changed,
        entry.done ? new Date() : null,
      ]);
      const seconds = Math.max(0.001, (now() - started) / 1000);
      options.onProgress?.({
        resource,
        pages: entry.pages,
        objects: entry.objects,
        changed: entry.changed,
        hasMore: !entry.done,
        objectsPerSecond: report.objects / seconds,
        requestsPerSecond: report.requests / seconds,
        remainingResources: resources.slice(entry.done ? index + 1 : index),
      });
    }
  }
  report.completed = true;
  return finish(report, started, now);
}

/** Runs `fn` over `items` with at most `limit` in flight; objects of one customer serialize on its lock anyway. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

function finish(report: BackfillReport, started: number, now: () => number): BackfillReport {
  report.seconds = (now() - started) / 1000;
  return report;
}
