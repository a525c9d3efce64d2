/**
 * The reads behind `GET /admin/customers/:id`, one customer's whole story: its mirror rows
 * (customer, subscriptions with items and prices, latest invoices), the stored access row, its
 * latest applied events (processed_events by customer, migration 1795760000000), its access-change
 * notifications with their delivery state (the outbox row and the job of the same id), and its
 * other objects in stripe_objects. The access answer and entitlements come from the access API's
 * own reader, the usage from the usage route's own query, so the page says exactly what they say.
 * Every query is by customer through an index, with a limit.
 */
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { AccessReader } from '../access/query';
import type { AccessDecision } from '../access/rule';
import type { CustomerUsage } from '../usage/usage-query';
import type { Part } from './overview-model';
import { part } from './overview-model';

type Row = Record<string, unknown>;

export const LIMITS = { subscriptions: 50, invoices: 20, events: 25, notifications: 20, objects: 100 };

export interface NotificationRow {
  id: string;
  sequence: number;
  access: boolean;
  reason: string;
  createdAt: Date;
  enqueuedAt: Date | null;
  /** The delivery job's state (`completed`, `failed`, `delayed`, …), `unknown` once it is gone. */
  state: string;
  attempts: number;
  lastError: string | null;
}

export interface CustomerStory {
  id: string;
  customer: Row | null;
  subscriptions: Row[];
  items: Row[];
  invoices: Row[];
  /** The customer_access row (the stored answer, its version and grace end), null before any change. */
  stored: Row | null;
  access: AccessDecision;
  entitlements: string[];
  usage: Part<CustomerUsage> | null;
  events: Row[];
  notifications: Part<NotificationRow[]>;
  objects: Row[];
}

export interface CustomerStoryDeps {
  dataSource: DataSource;
  access: AccessReader;
  /** The usage route's query; absent where usage is not served. */
  customerUsage?: (customer: string) => Promise<CustomerUsage>;
  /** The access-notifications queue, when notifications are on. */
  notificationsQueue?: Queue;
}

const SQL = {
  customer: 'SELECT stripe_id, email, name, deleted, watermark, updated_at FROM customers WHERE stripe_id = $1',
  subscriptions: `SELECT stripe_id, status, cancel_at_period_end, canceled_at, trial_end, deleted, watermark, updated_at
    FROM subscriptions WHERE stripe_customer_id = $1 ORDER BY deleted, watermark DESC LIMIT ${LIMITS.subscriptions}`,
  items: `SELECT si.stripe_id, si.stripe_subscription_id, si.stripe_price_id, si.quantity, si.current_period_start,
      si.current_period_end, p.unit_amount, p.currency, p.recurring_interval, p.usage_type, p.meter, pr.name AS product_name
    FROM subscription_items si JOIN subscriptions s ON s.stripe_id = si.stripe_subscription_id
    LEFT JOIN prices p ON p.stripe_id = si.stripe_price_id LEFT JOIN products pr ON pr.stripe_id = p.stripe_product_id
    WHERE s.stripe_customer_id = $1 ORDER BY si.stripe_subscription_id, si.stripe_id`,
  invoices: `SELECT stripe_id, stripe_subscription_id, status, amount_due, amount_paid, amount_remaining, currency,
      attempted, payment_failed_at, period_start, period_end, deleted, watermark, updated_at
    FROM invoices WHERE stripe_customer_id = $1 ORDER BY watermark DESC LIMIT ${LIMITS.invoices}`,
  stored: `SELECT access, status, reason, version, grace_ends_at, updated_at FROM customer_access
    WHERE stripe_customer_id = $1`,
  events: `SELECT stripe_event_id, type, event_created, processed_at, source FROM processed_events
    WHERE stripe_customer_id = $1 ORDER BY processed_at DESC LIMIT ${LIMITS.events}`,
  notifications: `SELECT id, sequence, body, created_at, enqueued_at FROM access_notifications
    WHERE stripe_customer_id = $1 ORDER BY sequence DESC LIMIT ${LIMITS.notifications}`,
  // The fields that say what happened to a payment; card details were never stored (stripe_objects filter).
  objects: `SELECT stripe_id, type, deleted, watermark, updated_at, data->>'status' AS status, data->>'amount' AS amount,
      data->>'currency' AS currency, data->>'invoice' AS invoice, data->>'failure_code' AS failure_code,
      coalesce(data->>'failure_message', data->'last_payment_error'->>'message') AS failure_message
    FROM stripe_objects WHERE stripe_customer_id = $1 ORDER BY type, watermark DESC LIMIT ${LIMITS.objects}`,
};

async function notificationRows(
  dataSource: DataSource,
  queue: Queue | undefined,
  customer: string,
): Promise<NotificationRow[]> {
  const rows = (await dataSource.query(SQL.notifications, [customer])) as Array<{
    id: string;
    sequence: string;
    body: { data: { access: boolean; reason: string } };
    created_at: Date;
    enqueued_at: Date | null;
  }>;
  return Promise.all(
    rows.map(async (r) => {
      const job = queue ? await queue.getJob(r.id) : undefined;
      return {
        id: r.id,
        sequence: Number(r.sequence),
        access: r.body.data.access,
        reason: r.body.data.reason,
        createdAt: r.created_at,
        enqueuedAt: r.enqueued_at,
        state: job ? await job.getState() : r.enqueued_at ? 'unknown' : 'in the outbox',
        attempts: job?.attemptsMade ?? 0,
        lastError: job?.failedReason || null,
      };
    }),
  );
}

export async function loadCustomerStory(deps: CustomerStoryDeps, id: string): Promise<CustomerStory> {
  const query = (sql: string) => deps.dataSource.query(sql, [id]) as Promise<Row[]>;
  const usage = deps.customerUsage;
  const [customer, subscriptions, items, invoices, stored, access, entitlements, events, objects] = await Promise.all([
    query(SQL.customer),
    query(SQL.subscriptions),
    query(SQL.items),
    query(SQL.invoices),
    query(SQL.stored),
    deps.access.access(id),
    deps.access.entitlements(id),
    query(SQL.events),
    query(SQL.objects),
  ]);
  const [usageTotals, notifications] = await Promise.all([
    usage ? part('usage', () => usage(id)) : null,
    part('notifications', () => notificationRows(deps.dataSource, deps.notificationsQueue, id)),
  ]);
  return {
    id,
    customer: customer[0] ?? null,
    subscriptions,
    items,
    invoices,
    stored: stored[0] ?? null,
    access,
    entitlements,
    usage: usageTotals,
    events,
    notifications,
    objects,
  };
}
