/**
 * Replay: lists Stripe events since a time (Events API, which keeps 30 days; optionally only
 * events Stripe failed to deliver) and enqueues those the mirror has not applied through the
 * same path as webhooks (enqueueStripeEvent, source 'replay'): job id = event id, a failed job is
 * re-armed, and processed_events makes a repeat harmless.
 *
 * Report: `found` events listed, `handled` of types this service applies, `new` not yet in
 * processed_events (enqueued), then, after waiting up to `waitMs` for those jobs, `changed`
 * (the handler wrote the mirror), `unchanged` (older than the stored state, or applied meanwhile),
 * `failed` and `pending` (still queued when the wait ended, e.g. no worker running).
 */
import { Job } from 'bullmq';
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { EventOutcome } from '../events/apply';
import { handlerFor } from '../events/handlers';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { parseStripeEvent, type StripeEvent } from '../queues/stripe-event';
import { enqueueStripeEvent, StripeEventQueues } from '../queues/stripe-events-queue';
import { RateLimiter } from '../lib/rate-limiter';
import { sleep } from '../lib/wait';
import { BackoffOptions, paced } from '../lib/paced-stripe-calls';

/** The Events API keeps 30 days; a minute less so a slow run does not ask beyond it. */
export const EVENTS_RETENTION_SECONDS = 30 * 24 * 3600 - 60;

export interface ReplayDeps {
  stripe: Stripe;
  queues: StripeEventQueues;
  dataSource: DataSource;
  limiter: RateLimiter;
  log: Logger;
  metrics?: Metrics;
  backoff?: BackoffOptions;
}

export interface ReplayOptions {
  /** Unix seconds; clamped to the 30 days the Events API keeps. */
  since: number;
  undeliveredOnly?: boolean;
  /** How long to wait for the enqueued jobs to finish before reporting (default 60 s; 0 = don't wait). */
  waitMs?: number;
  pageSize?: number;
  now?: () => number;
}

export interface ReplayReport {
  since: string;
  clamped: boolean;
  undeliveredOnly: boolean;
  pages: number;
  found: number;
  handled: number;
  new: number;
  changed: number;
  unchanged: number;
  failed: number;
  pending: number;
}

const ALREADY_APPLIED_SQL = 'SELECT stripe_event_id FROM processed_events WHERE stripe_event_id = ANY($1)';

export async function runReplay(deps: ReplayDeps, options: ReplayOptions): Promise<ReplayReport> {
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  const since = Math.max(options.since, nowSeconds - EVENTS_RETENTION_SECONDS);
  const report: ReplayReport = {
    since: new Date(since * 1000).toISOString(),
    clamped: since !== options.since,
    undeliveredOnly: options.undeliveredOnly ?? false,
    pages: 0,
    found: 0,
    handled: 0,
    new: 0,
    changed: 0,
    unchanged: 0,
    failed: 0,
    pending: 0,
  };
  const enqueued: StripeEvent[] = [];
  let startingAfter: string | undefined;
  for (;;) {
    const page = await paced(
      deps.limiter,
      () =>
        deps.stripe.events.list({
          created: { gte: since },
          limit: options.pageSize ?? 100,
          ...(options.undeliveredOnly ? { delivery_success: false } : {}),
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      deps.backoff,
    );
    report.pages++;
    report.found += page.data.length;
    enqueued.push(...(await enqueueNew(deps, page.data, report)));
    if (!page.has_more || page.data.length === 0) break;
    startingAfter = page.data[page.data.length - 1].id;
  }
  await collectOutcomes(deps.queues, enqueued, options.waitMs ?? 60_000, report);
  deps.metrics?.replayEvents.inc({ result: 'found' }, report.found);
  deps.metrics?.replayEvents.inc({ result: 'new' }, report.new);
  deps.metrics?.replayEvents.inc({ result: 'changed' }, report.changed);
  deps.log.info({ ...report }, 'replay finished');
  return report;
}

/** Enqueues the events of one page that the mirror stores and processed_events does not hold yet. */
async function enqueueNew(deps: ReplayDeps, events: Stripe.Event[], report: ReplayReport): Promise<StripeEvent[]> {
  const handled: StripeEvent[] = [];
  for (const raw of events) {
    const parsed = parseStripeEvent(raw);
    if (!parsed.ok) deps.log.warn({ eventId: raw.id, reason: parsed.reason }, 'replay skipped a malformed event');
    else if (handlerFor(parsed.event)) handled.push(parsed.event);
  }
  report.handled += handled.length;
  if (handled.length === 0) return [];
  const applied: Array<{ stripe_event_id: string }> = await deps.dataSource.query(ALREADY_APPLIED_SQL, [
    handled.map((e) => e.id),
  ]);
  const known = new Set(applied.map((r) => r.stripe_event_id));
  const enqueued: StripeEvent[] = [];
  for (const event of handled.filter((e) => !known.has(e.id))) {
    const timer = deps.metrics?.enqueueDuration.startTimer({ source: 'replay' });
    await enqueueStripeEvent(deps.queues, event, 'replay');
    timer?.();
    enqueued.push(event);
  }
  report.new += enqueued.length;
  return enqueued;
}

const CHANGED: ReadonlySet<EventOutcome> = new Set(['applied', 'refetched']);

/** Waits for the enqueued jobs (polling their state in their partitions) and sorts their outcomes into the report. */
async function collectOutcomes(
  queues: StripeEventQueues,
  events: StripeEvent[],
  waitMs: number,
  report: ReplayReport,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  let open = events;
  for (;;) {
    const still: StripeEvent[] = [];
    for (const event of open) {
      const { id } = event;
      const queue = queues.of(event);
      const state = await queue.getJobState(id);
      if (state === 'completed') {
        const job = await Job.fromId<unknown, EventOutcome>(queue, id);
        if (job && CHANGED.has(job.returnvalue)) report.changed++;
        else report.unchanged++;
      } else if (state === 'failed') report.failed++;
      else still.push(event);
    }
    open = still;
    if (open.length === 0 || Date.now() >= deadline) break;
    await sleep(Math.min(250, Math.max(1, deadline - Date.now())));
  }
  report.pending = open.length;
}
