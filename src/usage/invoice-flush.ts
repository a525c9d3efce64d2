/**
 * invoice.created for a subscription with metered prices → send that customer's usage soon, so it
 * lands on the draft invoice during Stripe's one-hour wait. Runs after the event's transaction
 * committed (never inside it: a Redis write there could be lost on rollback or doubled on retry);
 * a retried event job runs it again, which at worst asks for a second, harmless flush.
 *
 * Flushes are gathered, not run one per invoice: at a billing-cycle boundary thousands of
 * invoice.created arrive together, and finding one customer's cells means scanning the whole
 * pending hash. The hook only records `<customer>|<subscription>` in the flush set of the customer's
 * shard (no
 * PostgreSQL: a query per invoice cost the worker as much socket time as all its event
 * transactions) and asks for the drain job of its USAGE_INVOICE_FLUSH_DELAY_MS slot (job id
 * `invoice-flush-<slot>`, delayed to the slot's end plus a margin). That job asks PostgreSQL once
 * which of the waiting subscriptions may be metered and claims those customers' cells with one
 * scan of each shard that has requests, and only of that shard. Whoever asks during a slot is in the set before that slot's job runs; a job that has
 * already run and gone is simply added again, so every request is followed by a drain that sees it.
 */
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import type { UsageFlushRequest } from '../queues/payloads';
import { requestDrain, type UsageDrainQueue } from '../queues/usage-drain-queue';
import type { UsageStore } from './usage-store';
import type { FlushClaim, FlushRequest } from './claim';
import type { UsageKeys } from './keys';

/** Per subscription: its items, and how many might be metered (a price the mirror lacks counts as "might"). */
const METERED_SQL = `SELECT si.stripe_subscription_id AS subscription, count(*)::int AS items,
    count(*) FILTER (WHERE p.stripe_id IS NULL OR p.usage_type = 'metered' OR p.meter IS NOT NULL)::int AS maybe_metered
  FROM subscription_items si LEFT JOIN prices p ON p.stripe_id = si.stripe_price_id
  WHERE si.stripe_subscription_id = ANY($1)
  GROUP BY si.stripe_subscription_id`;

/** Flush unless the mirror knows the subscription's items and none of their prices is metered. */
export function shouldFlush(counts: { items: number; maybe_metered: number }): boolean {
  return counts.items === 0 || counts.maybe_metered > 0;
}

/** Margin after a slot ends before its job runs, for clock skew between worker processes. */
const SLOT_MARGIN_MS = 250;

/** The flush job of the slot `nowMs` falls in: its id and how long to wait before it runs. */
export function flushSlot(nowMs: number, slotMs: number): { jobId: string; delayMs: number } {
  const slot = Math.floor(nowMs / slotMs);
  return { jobId: `invoice-flush-${slot}`, delayMs: (slot + 1) * slotMs - nowMs + SLOT_MARGIN_MS };
}

/**
 * What an invoice flush claims in one shard: the customers of its waiting requests whose
 * subscription may be metered (one query for all of them); it settles every waiting request of the
 * shard, flushed or not.
 */
export async function invoiceFlushClaim(
  store: Pick<UsageStore, 'flushRequests'>,
  keys: UsageKeys,
  dataSource: DataSource,
): Promise<FlushClaim> {
  const requests: FlushRequest[] = await store.flushRequests(keys);
  const rows =
    requests.length === 0
      ? []
      : ((await dataSource.query(METERED_SQL, [requests.map((r) => r.subscription)])) as Array<{
          subscription: string;
          items: number;
          maybe_metered: number;
        }>);
  const counts = new Map(rows.map((r) => [r.subscription, r]));
  const customers = new Set(
    requests
      .filter((r) => shouldFlush(counts.get(r.subscription) ?? { items: 0, maybe_metered: 0 }))
      .map((r) => r.customer),
  );
  return { customers, settles: requests.map((r) => r.member) };
}

export interface InvoiceFlushDeps {
  queue: UsageDrainQueue;
  store: Pick<UsageStore, 'requestFlush'>;
  /** USAGE_INVOICE_FLUSH_DELAY_MS: the slot length. */
  delayMs: number;
  log: Logger;
}

export function invoiceFlushHook(deps: InvoiceFlushDeps) {
  // The slot whose job this process has already asked for: later asks in that slot skip the add.
  let requestedSlot = '';
  return async ({ customer, subscription, invoice }: UsageFlushRequest): Promise<void> => {
    await deps.store.requestFlush(customer, subscription);
    const { jobId, delayMs } = flushSlot(Date.now(), deps.delayMs);
    if (jobId !== requestedSlot) {
      await requestDrain(deps.queue, { reason: 'invoice' }, jobId, delayMs);
      requestedSlot = jobId;
    }
    deps.log.info({ customer, invoice }, 'usage flush requested for a new invoice');
  };
}
