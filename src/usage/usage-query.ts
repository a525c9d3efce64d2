/**
 * Reads one customer's usage for `GET /v1/customers/:id/usage`: the default period, the Redis
 * snapshots and the ledger, in the order usage-totals.ts relies on (Redis first, then PostgreSQL).
 */
import type { DataSource } from 'typeorm';
import { parseCells } from './claim';
import { customerKeys, FIELD_SEPARATOR, LEGACY, usageKeys, type UsageKeys } from './keys';
import type { RedisConnection } from '../runtime/redis';
import { runScript } from '../runtime/run-script';
import { CUSTOMER_SNAPSHOT_SCRIPT } from './snapshot-script';
import { cellStates, confirmationTotals } from './usage-confirmation';
import { subscriptionStarts } from './subscription-starts';
import {
  type CustomerSnapshot,
  inUsageRange,
  type LedgerRow,
  sentRows,
  type UsageRange,
  usageTotals,
} from './usage-totals';
import { STRIPE_FUTURE_LIMIT_S } from './window';

/** The latest current period over the items of the customer's subscriptions that still run. */
const PERIOD_SQL = `SELECT si.current_period_start::bigint AS "from", si.current_period_end::bigint AS "to"
  FROM subscription_items si JOIN subscriptions s ON s.stripe_id = si.stripe_subscription_id
  WHERE s.stripe_customer_id = $1 AND NOT s.deleted AND s.status NOT IN ('canceled', 'incomplete_expired')
  ORDER BY si.current_period_end DESC, si.current_period_start DESC LIMIT 1`;

/** The rows whose window overlaps [$2, $3): those whose usage time (usage-totals.ts) may fall in it. */
const LEDGER_SQL = `SELECT identifier, claim_id AS "claimId", meter, value::text AS value,
    extract(epoch FROM window_start)::bigint AS "windowStart", extract(epoch FROM window_end)::bigint AS "windowEnd",
    (floor(extract(epoch FROM event_timestamp) / 3600) * 3600)::bigint AS hour
  FROM usage_reports
  WHERE stripe_customer_id = $1 AND window_end > to_timestamp($2) AND window_start < to_timestamp($3)`;

/** Windows are at most a day long (config.ts): a start a day before `from` is in no window that reaches it. */
const LONGEST_WINDOW_S = 86_400;

const DEFAULT_DAYS = 30;

export interface UsageQueryDeps {
  redis: RedisConnection;
  dataSource: DataSource;
  keyPrefix: string;
  windowSeconds: number;
}

/** Per meter: units sent, counted but not sent yet, refused by Stripe, and found in Stripe's totals. */
export type CustomerMeters = Record<string, { sent: number; pending: number; rejected: number; confirmed: number }>;

export interface CustomerUsage extends UsageRange {
  customer: string;
  meters: CustomerMeters;
}

/** The customer's current billing period, else the last 30 days (up to Stripe's 5 minutes ahead). */
export async function defaultRange(dataSource: DataSource, customer: string, nowSeconds: number): Promise<UsageRange> {
  const [row] = (await dataSource.query(PERIOD_SQL, [customer])) as Array<{ from: string; to: string }>;
  if (row) return { from: Number(row.from), to: Number(row.to) };
  return { from: nowSeconds - DEFAULT_DAYS * 86_400, to: nowSeconds + STRIPE_FUTURE_LIMIT_S };
}

async function snapshot(redis: RedisConnection, keys: UsageKeys, customer: string): Promise<CustomerSnapshot> {
  const [time, pending, released, claims] = (await runScript(
    redis,
    CUSTOMER_SNAPSHOT_SCRIPT,
    [keys.pending, keys.claims, keys.released],
    [`${customer}${FIELD_SEPARATOR}`, keys.claim('')],
  )) as [string, string[], string[], Array<[string, string[]]>];
  return {
    timeMs: Number(time),
    pending: parseCells(pending).cells,
    released,
    open: claims.map(([claimId, flat]) => ({ claimId, cells: parseCells(flat).cells })),
  };
}

export async function customerUsage(
  deps: UsageQueryDeps,
  customer: string,
  range?: UsageRange,
): Promise<CustomerUsage> {
  const period = range ?? (await defaultRange(deps.dataSource, customer, Math.floor(Date.now() / 1000)));
  const namespaces = [customerKeys(deps.keyPrefix, customer), usageKeys(deps.keyPrefix, LEGACY)];
  // Redis before the ledger: the order the rule in usage-totals.ts needs (the starts may come at any time).
  const [snapshots, starts] = await Promise.all([
    Promise.all(namespaces.map((keys) => snapshot(deps.redis, keys, customer))),
    subscriptionStarts(deps.dataSource, [customer], period.from - LONGEST_WINDOW_S),
  ]);
  const ownStarts = starts.get(customer) ?? [];
  const inRange = inUsageRange(period, ownStarts);
  const rows = (
    (await deps.dataSource.query(LEDGER_SQL, [customer, period.from, period.to])) as Array<
      Omit<LedgerRow, 'windowStart' | 'windowEnd'> & { windowStart: string; windowEnd: string; hour: string }
    >
  )
    .map((r) => ({ ...r, windowStart: Number(r.windowStart), windowEnd: Number(r.windowEnd), hour: Number(r.hour) }))
    .filter((r) => inRange(r.windowStart, r.windowEnd));
  const totals = usageTotals(snapshots, rows, period, { ...deps, starts: ownStarts });
  // The rows the route counts as sent are in [from, to) already (filtered above by their usage time).
  const sent = sentRows(snapshots, rows);
  const confirmation = confirmationTotals(sent, await cellStates(deps.dataSource, customer, sent));
  const meters: CustomerMeters = {};
  for (const [meter, t] of Object.entries(totals)) {
    const c = confirmation.get(meter);
    meters[meter] = { ...t, rejected: Number(c?.rejected ?? 0n), confirmed: Number(c?.confirmed ?? 0n) };
  }
  return { customer, ...period, meters };
}
