/**
 * The SQL side of reconciliation (flow C): the (customer, meter) pairs with usage in a range, page by
 * page; the hour cells of a page of pairs — ledger units, refused units, when their last event reached
 * Stripe, unsent fixes, the last stored outcome — and storing the new outcomes. Ranges are unix
 * seconds on hour starts; hours are those of the meter event timestamps (what Stripe buckets).
 */
import type { DataSource } from 'typeorm';
import type { Cell, Outcome, StoredOutcome } from './reconcile-compare';

export interface Pair {
  customer: string;
  meter: string;
}

export interface LedgerCell extends Cell {
  /** Fixes already written for the cell (the next one is attempt + 1). */
  attempts: number;
  stored?: StoredOutcome;
}

const HOUR_OF = (column: string) => `(floor(extract(epoch FROM ${column}) / 3600) * 3600)::bigint`;

/** $1 from, $2 to, $3/$4 the last pair of the previous page ('' for the first), $5 page size. */
const PAIRS_SQL = `SELECT DISTINCT stripe_customer_id AS customer, meter FROM usage_reports
  WHERE event_timestamp >= to_timestamp($1) AND event_timestamp < to_timestamp($2)
    AND window_start < to_timestamp($2) AND (stripe_customer_id, meter) > ($3, $4)
  ORDER BY 1, 2 LIMIT $5`;

/** One page of pairs after `after`, in (customer, meter) order. */
export async function pairPage(
  dataSource: DataSource,
  range: { from: number; to: number },
  after: Pair | undefined,
  limit: number,
): Promise<Pair[]> {
  return dataSource.query(PAIRS_SQL, [range.from, range.to, after?.customer ?? '', after?.meter ?? '', limit]);
}

/**
 * $1 = JSON [{customer, meter}], $2 from, $3 to. Cells are the hours with ledger rows, and the hours
 * only Stripe had (a stored outcome with no ledger units), so an excess is compared again too.
 * Times are floored to whole seconds: a row written this second is not "later than now".
 */
const CELLS_SQL = `WITH pairs AS (SELECT * FROM json_to_recordset($1::json) AS p(customer text, meter text)),
usage AS (
  SELECT r.stripe_customer_id AS customer, r.meter, ${HOUR_OF('r.event_timestamp')} AS hour, sum(r.value) AS ledger,
    coalesce(sum(r.value) FILTER (WHERE j.identifier IS NOT NULL), 0) AS marked,
    floor(extract(epoch FROM max(r.sent_at)))::bigint AS last_sent
  FROM pairs p JOIN usage_reports r ON r.stripe_customer_id = p.customer AND r.meter = p.meter
  LEFT JOIN usage_rejections j ON j.identifier = r.identifier
  WHERE r.event_timestamp >= to_timestamp($2) AND r.event_timestamp < to_timestamp($3)
  GROUP BY 1, 2, 3),
stripe_only AS (
  SELECT o.stripe_customer_id AS customer, o.meter, extract(epoch FROM o.hour_start)::bigint AS hour
  FROM pairs p JOIN usage_reconciliations o ON o.stripe_customer_id = p.customer AND o.meter = p.meter
  WHERE o.ledger_units = 0 AND o.outcome <> 'confirmed'
    AND o.hour_start >= to_timestamp($2) AND o.hour_start < to_timestamp($3)),
cells AS (SELECT customer, meter, hour FROM usage UNION SELECT customer, meter, hour FROM stripe_only),
fixes AS (
  SELECT f.stripe_customer_id AS customer, f.meter, extract(epoch FROM f.hour_start)::bigint AS hour,
    coalesce(sum(f.value) FILTER (WHERE j.identifier IS NOT NULL), 0) AS marked,
    coalesce(floor(extract(epoch FROM max(f.accepted_at)))::bigint, 0) AS last_sent,
    bool_or(f.accepted_at IS NULL) AS unsent, max(f.attempt) AS attempts
  FROM pairs p JOIN usage_fixes f ON f.stripe_customer_id = p.customer AND f.meter = p.meter
  LEFT JOIN usage_rejections j ON j.identifier = f.identifier
  WHERE f.hour_start >= to_timestamp($2) AND f.hour_start < to_timestamp($3)
  GROUP BY 1, 2, 3)
SELECT c.customer, c.meter, c.hour, coalesce(u.ledger, 0)::text AS ledger,
  (coalesce(u.marked, 0) + coalesce(f.marked, 0))::text AS marked,
  greatest(coalesce(u.last_sent, 0), coalesce(f.last_sent, 0)) AS "lastSent", coalesce(f.unsent, false) AS unsent,
  coalesce(f.attempts, 0) AS attempts, o.outcome, o.ledger_units::text AS "storedLedger",
  o.stripe_units::text AS "storedStripe"
FROM cells c LEFT JOIN usage u USING (customer, meter, hour) LEFT JOIN fixes f USING (customer, meter, hour)
LEFT JOIN usage_reconciliations o
  ON o.stripe_customer_id = c.customer AND o.meter = c.meter AND o.hour_start = to_timestamp(c.hour)
ORDER BY 1, 2, 3`;

interface CellRow {
  customer: string;
  meter: string;
  hour: string;
  ledger: string;
  marked: string;
  lastSent: string;
  unsent: boolean;
  attempts: number;
  outcome: Outcome | null;
  storedLedger: string | null;
  storedStripe: string | null;
}

/** The hour cells of `pairs` with usage in [from, to). */
export async function ledgerCells(
  dataSource: DataSource,
  pairs: readonly Pair[],
  range: { from: number; to: number },
): Promise<LedgerCell[]> {
  if (pairs.length === 0) return [];
  const rows = (await dataSource.query(CELLS_SQL, [JSON.stringify(pairs), range.from, range.to])) as CellRow[];
  return rows.map((r) => ({
    customer: r.customer,
    meter: r.meter,
    hour: Number(r.hour),
    ledger: BigInt(r.ledger),
    marked: BigInt(r.marked),
    lastSent: Number(r.lastSent),
    unsent: r.unsent,
    attempts: Number(r.attempts),
    stored: r.outcome
      ? { outcome: r.outcome, ledger: BigInt(r.storedLedger!), stripe: BigInt(r.storedStripe!) }
      : undefined,
  }));
}

export interface OutcomeRow extends Pair {
  hour: number;
  outcome: Outcome;
  ledger: bigint;
  stripe: bigint;
  /** Fixes the cell already has (a fix of it is attempt + 1). */
  attempts?: number;
}

const STORE_SQL = `INSERT INTO usage_reconciliations
    (stripe_customer_id, meter, hour_start, outcome, ledger_units, stripe_units, checked_at)
  SELECT o.customer, o.meter, to_timestamp(o.hour), o.outcome, o.ledger::bigint, o.stripe::bigint, to_timestamp($2)
  FROM json_to_recordset($1::json) AS o(customer text, meter text, hour bigint, outcome text, ledger text, stripe text)
  ON CONFLICT (stripe_customer_id, meter, hour_start) DO UPDATE SET outcome = excluded.outcome,
    ledger_units = excluded.ledger_units, stripe_units = excluded.stripe_units, checked_at = excluded.checked_at`;

/** Stores (replaces) the outcomes of one comparison made at `checkedAt` (unix s). */
export async function storeOutcomes(
  dataSource: DataSource,
  rows: readonly OutcomeRow[],
  checkedAt: number,
): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((r) => ({ ...r, ledger: r.ledger.toString(), stripe: r.stripe.toString(), attempts: undefined })),
  );
  await dataSource.query(STORE_SQL, [json, checkedAt]);
}

/** $1 = unix s: the hours since then whose last comparison differs, per outcome (the metrics and the doctor read this). */
export const DIFFERING_SQL = `SELECT outcome, count(*)::int AS hours, sum(abs(ledger_units - stripe_units))::text AS units,
    array_agg(DISTINCT meter ORDER BY meter) AS meters
  FROM usage_reconciliations WHERE outcome <> 'confirmed' AND hour_start >= to_timestamp($1)
  GROUP BY outcome ORDER BY outcome`;

export interface Differing {
  outcome: Outcome;
  hours: number;
  units: string;
  meters: string[];
}

/** $1 = none: meter events Stripe reported refused after the last comparison, and that comparison's time. */
const REFUSED_SINCE_SQL = `SELECT count(*)::int AS n,
    (SELECT floor(extract(epoch FROM max(checked_at)))::bigint FROM usage_reconciliations) AS at
  FROM usage_rejections WHERE rejected_at > coalesce((SELECT max(checked_at) FROM usage_reconciliations), 'epoch')`;

/** Where usage stands with Stripe, from PostgreSQL alone (the doctor and the console read it). */
export interface UsageConfirmationState {
  differing: Differing[];
  /** Meter events Stripe reported refused after the last comparison. */
  refusedSince: number;
  /** When the last comparison was made (unix s), null when none ever was. */
  lastCheckedAt: number | null;
}

/** Reads the confirmation state of the hours since `sinceS` through `query` (a pool, a client). */
export async function readUsageConfirmation(
  query: (sql: string, params?: unknown[]) => Promise<unknown[]>,
  sinceS: number,
): Promise<UsageConfirmationState> {
  const differing = (await query(DIFFERING_SQL, [sinceS])) as Differing[];
  const [refused] = (await query(REFUSED_SINCE_SQL)) as Array<{ n: number; at: string | null }>;
  return {
    differing,
    refusedSince: refused?.n ?? 0,
    lastCheckedAt: refused?.at == null ? null : Number(refused.at),
  };
}
