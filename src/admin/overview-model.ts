/**
 * The reads behind `GET /admin`: PostgreSQL and Redis health, every queue's counts and oldest
 * waiting job, the newest Stripe event received (the newest job of the event queues) and applied
 * (processed_events, through its event_created index), the last usage drain, where usage stands
 * with Stripe (the last reconciliation's outcome), and the notifications' state. Each part is read on its own with a timeout, so a Redis outage still shows
 * PostgreSQL's side, and the part that failed says so (`Part.error`).
 */
import type { Job, Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { pingRedis, type RedisConnection } from '../runtime/redis';
import { withTimeout } from '../runtime/timeout';
import { readUsageConfirmation, type UsageConfirmationState } from '../usage/reconcile-ledger';
import { STRIPE_PAST_LIMIT_S } from '../usage/window';
import { queueKind, type QueueKind } from './queue-kinds';

const READ_TIMEOUT_MS = 3000;

/** A part of the page: its value, or why it could not be read. */
export type Part<T> = { ok: true; value: T } | { ok: false; error: string };

export async function part<T>(what: string, read: () => Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await withTimeout(read(), READ_TIMEOUT_MS, what) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export interface QueueRow {
  name: string;
  kind: QueueKind;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** When the oldest waiting job was added (ms), null when none waits. */
  oldestWaitingAt: number | null;
}

export interface ReceivedEvent {
  eventId: string;
  type: string;
  /** When the job was added (ms): the webhook's or replay's enqueue. */
  receivedAt: number;
}

export interface AppliedEvent {
  eventId: string;
  type: string;
  created: number;
  processedAt: Date;
}

export interface JobOutcome {
  jobId: string;
  at: number | null;
  /** The return value (a drain's counts) or the failure reason. */
  detail: string;
}

export interface NotificationState {
  waiting: number;
  retrying: number;
  failed: number;
  /** Outbox rows no job carries yet (the relay enqueues them). */
  unenqueued: number;
  lastError: JobOutcome | null;
}

export interface Overview {
  now: number;
  postgres: Part<number>;
  redis: Part<number>;
  queues: Part<QueueRow[]>;
  received: Part<ReceivedEvent | null>;
  applied: Part<AppliedEvent | null>;
  drain: Part<{ lastDone: JobOutcome | null; lastFailed: JobOutcome | null }> | null;
  notifications: Part<NotificationState> | null;
  /** The hours of the last 35 days whose last comparison with Stripe differs, and refusals since. */
  reconciliation: Part<UsageConfirmationState>;
}

export interface OverviewDeps {
  dataSource: DataSource;
  redis: RedisConnection;
  queues: readonly Queue[];
}

const timed = async (check: () => Promise<unknown>): Promise<number> => {
  const started = Date.now();
  await check();
  return Date.now() - started;
};

async function queueRow(queue: Queue): Promise<QueueRow> {
  const [counts, [oldest]] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
    queue.getJobs(['waiting'], 0, 0, true),
  ]);
  return {
    name: queue.name,
    kind: queueKind(queue.name),
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
    oldestWaitingAt: oldest?.timestamp ?? null,
  };
}

/** The newest job of the event partitions, by when it was added, in any state. */
async function newestReceived(queues: readonly Queue[]): Promise<ReceivedEvent | null> {
  const jobs = (
    await Promise.all(
      queues.map((q) => q.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'], 0, 0, false)),
    )
  ).flat();
  const newest = jobs.reduce<Job | null>((a, b) => (a === null || b.timestamp > a.timestamp ? b : a), null);
  if (!newest) return null;
  const event = (newest.data as { event?: { id?: unknown; type?: unknown } }).event;
  return {
    eventId: String(event?.id ?? newest.id),
    type: String(event?.type ?? newest.name),
    receivedAt: newest.timestamp,
  };
}

const NEWEST_APPLIED_SQL = `SELECT stripe_event_id, type, event_created, processed_at FROM processed_events
  ORDER BY event_created DESC LIMIT 1`;

async function newestApplied(dataSource: DataSource): Promise<AppliedEvent | null> {
  const [row] = (await dataSource.query(NEWEST_APPLIED_SQL)) as Array<{
    stripe_event_id: string;
    type: string;
    event_created: string;
    processed_at: Date;
  }>;
  return row
    ? {
        eventId: row.stripe_event_id,
        type: row.type,
        created: Number(row.event_created),
        processedAt: row.processed_at,
      }
    : null;
}

export const outcomeOf = (job: Job | undefined, failed: boolean): JobOutcome | null =>
  job
    ? {
        jobId: String(job.id),
        at: job.finishedOn ?? job.processedOn ?? null,
        detail: failed ? job.failedReason : JSON.stringify(job.returnvalue ?? null),
      }
    : null;

async function lastDrain(queue: Queue) {
  const [[done], [failed]] = await Promise.all([
    queue.getJobs(['completed'], 0, 0, false),
    queue.getJobs(['failed'], 0, 0, false),
  ]);
  return { lastDone: outcomeOf(done, false), lastFailed: outcomeOf(failed, true) };
}

/** The newest delivery error among failed deliveries and those waiting for a retry. */
async function notificationState(queue: Queue, dataSource: DataSource): Promise<NotificationState> {
  const [counts, schedulers, recent, [outbox]] = await Promise.all([
    queue.getJobCounts('waiting', 'delayed', 'failed'),
    queue.getJobSchedulersCount(),
    queue.getJobs(['failed', 'delayed'], 0, 19, false),
    dataSource.query('SELECT count(*)::int AS n FROM access_notifications WHERE enqueued_at IS NULL') as Promise<
      Array<{ n: number }>
    >,
  ]);
  const erred = recent.filter((j) => j.name === 'deliver' && j.failedReason);
  const last = erred.sort((a, b) => (b.finishedOn ?? b.processedOn ?? 0) - (a.finishedOn ?? a.processedOn ?? 0))[0];
  return {
    waiting: counts.waiting ?? 0,
    // Delayed jobs are deliveries waiting for their next attempt, and each scheduler's next tick (the sweep).
    retrying: Math.max(0, (counts.delayed ?? 0) - schedulers),
    failed: counts.failed ?? 0,
    unenqueued: outbox.n,
    lastError: outcomeOf(last, true),
  };
}

export async function loadOverview(deps: OverviewDeps, now = Date.now()): Promise<Overview> {
  const of = (kind: QueueKind) => deps.queues.filter((q) => queueKind(q.name) === kind);
  const [drainQueue] = of('usage-drain');
  const [notificationsQueue] = of('access-notifications');
  const query = (sql: string, params?: unknown[]) => deps.dataSource.query(sql, params) as Promise<unknown[]>;
  const since = Math.floor(now / 1000) - STRIPE_PAST_LIMIT_S;
  const [postgres, redis, queues, received, applied, drain, notifications, reconciliation] = await Promise.all([
    part('PostgreSQL', () => timed(() => deps.dataSource.query('SELECT 1'))),
    part('Redis', () => timed(() => pingRedis(deps.redis))),
    part('queues', () => Promise.all(deps.queues.map(queueRow))),
    part('newest received event', () => newestReceived(of('stripe-events'))),
    part('newest applied event', () => newestApplied(deps.dataSource)),
    drainQueue ? part('usage drain', () => lastDrain(drainQueue)) : null,
    notificationsQueue ? part('notifications', () => notificationState(notificationsQueue, deps.dataSource)) : null,
    part('usage reconciliation', () => readUsageConfirmation(query, since)),
  ]);
  return { now, postgres, redis, queues, received, applied, drain, notifications, reconciliation };
}
