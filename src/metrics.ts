/**
 * Prometheus metrics (prom-client) of one running service. Each service builds its own Registry
 * with `createMetrics()`, never prom-client's global default one, so several services started in
 * one process (integration tests, the demo) do not collide. `GET /metrics` serves `registry`.
 *
 * How other modules report (the usage drain, new queues):
 *   metrics.usageEventsSent.inc(n)            meter events Stripe accepted (duplicates count: delivered)
 *   metrics.usageValueSent.inc(sum)           sum of their values
 *   instrumentWorker(worker, metrics)         job durations and failures of a BullMQ worker
 *   metrics.watchQueue(queue)                 queue depth per state, read from Redis on each scrape
 *   instrumentStripe(stripe, metrics)         Stripe requests, durations and 429s (done in service.ts)
 *   metrics.processedEventsPruned.inc(n)      processed_events rows the scheduled prune deleted
 *   metrics.usageEventsRejected.inc({ meter, code })  a meter event Stripe refused (thin event report)
 *   metrics.usageReconcileHours / Units / LastRun   set after each scheduled reconciliation
 *
 * Every name starts with `billing_`; see docs/operations.md for the list.
 */
import type { Queue, Worker } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type Stripe from 'stripe';
import { stripeRouteTemplate } from './lib/stripe-route';
import { usageConfirmationMetrics, type UsageConfirmationMetrics } from './metrics-usage';

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

export interface Metrics extends UsageConfirmationMetrics {
  registry: Registry;
  webhookRequests: Counter<'outcome'>;
  webhookSignatureFailures: Counter;
  enqueueDuration: Histogram<'source'>;
  jobDuration: Histogram<'queue' | 'status'>;
  jobFailures: Counter<'queue' | 'final'>;
  eventBatchSize: Histogram;
  eventsSetAside: Counter<'reason'>;
  eventStripeReads: Counter<'reason'>;
  queueJobs: Gauge<'queue' | 'state'>;
  usageEventsSent: Counter;
  usageValueSent: Counter;
  stripeRequests: Counter<'method' | 'path' | 'status'>;
  stripeRateLimited: Counter<'path'>;
  stripeRequestDuration: Histogram<'method'>;
  replayEvents: Counter<'result'>;
  processedEventsPruned: Counter;
  /** Adds a queue to the depth gauge (idempotent per queue name). */
  watchQueue(queue: Queue): void;
  /** Reports the api's access cache (src/access/cache.ts) at scrape time. */
  watchAccessCache(cache: WatchedAccessCache): void;
}

/** What the metrics read of the access cache. */
export interface WatchedAccessCache {
  readonly isLive: boolean;
  readonly size: number;
  readonly reads: Readonly<Record<'hit' | 'miss' | 'bypass', number>>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'billing_' });
  const registers = [registry];
  const watched = new Map<string, Queue>();
  let accessCache: WatchedAccessCache | undefined;
  new Gauge({
    name: 'billing_access_cache_live',
    help: '1 while the api follows the access change feed and serves answers from memory, else 0 (every call reads PostgreSQL)',
    registers,
    collect() {
      if (accessCache) this.set(accessCache.isLive ? 1 : 0);
    },
  });
  new Gauge({
    name: 'billing_access_cache_entries',
    help: 'Customers whose access answers the api holds in memory',
    registers,
    collect() {
      if (accessCache) this.set(accessCache.size);
    },
  });
  new Counter({
    name: 'billing_access_cache_reads_total',
    help: 'Access API reads: hit (memory), miss (PostgreSQL, then kept), bypass (PostgreSQL, cache not live)',
    labelNames: ['result'],
    registers,
    collect() {
      if (!accessCache) return;
      // The cache counts in plain numbers (no cost on the hot path); copied here at scrape time.
      this.reset();
      for (const [result, n] of Object.entries(accessCache.reads)) this.inc({ result }, n);
    },
  });
  const metrics: Metrics = {
    registry,
    webhookRequests: new Counter({
      name: 'billing_webhook_requests_total',
      help: 'Stripe webhook deliveries by outcome (accepted, rearmed, rejected, too_large, unavailable, error)',
      labelNames: ['outcome'],
      registers,
    }),
    webhookSignatureFailures: new Counter({
      name: 'billing_webhook_signature_failures_total',
      help: 'Webhook deliveries with a missing or invalid Stripe-Signature',
      registers,
    }),
    enqueueDuration: new Histogram({
      name: 'billing_enqueue_duration_seconds',
      help: 'Time to durably enqueue one Stripe event, by source',
      labelNames: ['source'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'billing_job_duration_seconds',
      help: 'Processing time of one job attempt, by queue and status (completed, failed)',
      labelNames: ['queue', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    eventBatchSize: new Histogram({
      name: 'billing_event_batch_size',
      help: 'Stripe events applied per PostgreSQL transaction by the worker (1 = on its own)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200],
      registers,
    }),
    eventsSetAside: new Counter({
      name: 'billing_events_set_aside_total',
      help: 'Stripe events that left a shared transaction unapplied, by reason: needs_stripe_read (applied on its own next), invalid_payload or error (their job fails)',
      labelNames: ['reason'],
      registers,
    }),
    eventStripeReads: new Counter({
      name: 'billing_event_stripe_reads_total',
      help: 'Stripe reads made while applying events, by reason: tie (same-second events), version (an older API version shape fetched again in the pinned one), list (an entitlement list to complete)',
      labelNames: ['reason'],
      registers,
    }),
    jobFailures: new Counter({
      name: 'billing_job_failures_total',
      help: 'Failed job attempts by queue; final="true" when no attempt is left',
      labelNames: ['queue', 'final'],
      registers,
    }),
    queueJobs: new Gauge({
      name: 'billing_queue_jobs',
      help: 'Jobs per queue and state, read from Redis at scrape time',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        await Promise.all(
          [...watched.values()].map(async (queue) => {
            // Redis down: leave this queue out rather than fail the whole scrape.
            const counts = await queue.getJobCounts(...JOB_STATES).catch(() => undefined);
            for (const state of JOB_STATES) if (counts) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          }),
        );
      },
    }),
    usageEventsSent: new Counter({
      name: 'billing_usage_events_sent_total',
      help: 'Usage meter events Stripe accepted',
      registers,
    }),
    usageValueSent: new Counter({
      name: 'billing_usage_value_sent_total',
      help: 'Sum of the values of usage meter events Stripe accepted',
      registers,
    }),
    stripeRequests: new Counter({
      name: 'billing_stripe_requests_total',
      help: 'Stripe API requests by method, route template (every id replaced by :id) and HTTP status',
      labelNames: ['method', 'path', 'status'],
      registers,
    }),
    stripeRateLimited: new Counter({
      name: 'billing_stripe_rate_limited_total',
      help: 'Stripe API answers with HTTP 429, by path',
      labelNames: ['path'],
      registers,
    }),
    stripeRequestDuration: new Histogram({
      name: 'billing_stripe_request_duration_seconds',
      help: 'Stripe API request duration by method',
      labelNames: ['method'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
      registers,
    }),
    replayEvents: new Counter({
      name: 'billing_replay_events_total',
      help: 'Events seen by replay runs: found, new (enqueued), changed (wrote the mirror)',
      labelNames: ['result'],
      registers,
    }),
    processedEventsPruned: new Counter({
      name: 'billing_processed_events_pruned_total',
      help: 'processed_events rows deleted by the scheduled prune (older than PROCESSED_EVENTS_RETENTION_DAYS)',
      registers,
    }),
    ...usageConfirmationMetrics(registers),
    watchQueue(queue) {
      watched.set(queue.name, queue);
    },
    watchAccessCache(cache) {
      accessCache = cache;
    },
  };
  return metrics;
}

/** Counts every Stripe request the SDK makes (retries included) and every 429 it gets back. */
export function instrumentStripe(stripe: Stripe, metrics: Metrics): void {
  stripe.on('response', (event: Stripe.ResponseEvent) => {
    const path = stripeRouteTemplate(event.path);
    const method = event.method ?? 'GET';
    metrics.stripeRequests.inc({ method, path, status: String(event.status ?? 0) });
    metrics.stripeRequestDuration.observe({ method }, event.elapsed / 1000);
    if (event.status === 429) metrics.stripeRateLimited.inc({ path });
  });
}

/** Job durations and failures of one worker, labelled with its queue name. */
export function instrumentWorker(worker: Worker, metrics: Metrics): void {
  const queue = worker.name;
  // BullMQ sets finishedOn only when a job leaves for good; a failed attempt that will retry has none.
  const seconds = (job: { processedOn?: number; finishedOn?: number }) =>
    job.processedOn ? Math.max(0, (job.finishedOn ?? Date.now()) - job.processedOn) / 1000 : undefined;
  worker.on('completed', (job) => {
    const duration = seconds(job);
    if (duration !== undefined) metrics.jobDuration.observe({ queue, status: 'completed' }, duration);
  });
  worker.on('failed', (job) => {
    if (!job) return;
    const duration = seconds(job);
    if (duration !== undefined) metrics.jobDuration.observe({ queue, status: 'failed' }, duration);
    metrics.jobFailures.inc({ queue, final: String(job.finishedOn !== undefined) });
  });
}
