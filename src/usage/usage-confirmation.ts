/**
 * The usage route's `confirmed` and `rejected` (flow C), read from PostgreSQL only: for each hour
 * holding units the route counts as sent, the hour's whole ledger, the units Stripe reported refused
 * (thin events; fixes included) and the last stored comparison; reconcile-compare.ts `routeTotals`
 * turns them into units. Never calls Stripe.
 */
import type { DataSource } from 'typeorm';
import { HOUR, routeTotals, type Outcome, type StoredOutcome } from './reconcile-compare';

/** A ledger row the route counts as sent: its meter, units and the hour of its event timestamp. */
export interface SentUnits {
  meter: string;
  value: string;
  hour: number;
}

export interface CellState {
  ledger: bigint;
  marked: bigint;
  stored?: StoredOutcome;
}

const key = (meter: string, hour: number) => `${meter}|${hour}`;

/** Per meter: confirmed and rejected units among `sent`, given each hour's state. Pure. */
export function confirmationTotals(
  sent: readonly SentUnits[],
  cells: ReadonlyMap<string, CellState>,
): Map<string, { confirmed: bigint; rejected: bigint }> {
  const inRange = new Map<string, bigint>();
  for (const s of sent) inRange.set(key(s.meter, s.hour), (inRange.get(key(s.meter, s.hour)) ?? 0n) + BigInt(s.value));
  const out = new Map<string, { confirmed: bigint; rejected: bigint }>();
  for (const [k, units] of inRange) {
    const cell = cells.get(k);
    const meter = k.slice(0, k.lastIndexOf('|'));
    const totals = routeTotals(cell?.ledger ?? units, units, cell?.marked ?? 0n, cell?.stored);
    const entry = out.get(meter) ?? { confirmed: 0n, rejected: 0n };
    entry.confirmed += totals.confirmed;
    entry.rejected += totals.rejected;
    out.set(meter, entry);
  }
  return out;
}

/** $1 customer, $2/$3 the hours' range (unix s). */
const CELLS_SQL = `WITH usage AS (
    SELECT r.meter, (floor(extract(epoch FROM r.event_timestamp) / 3600) * 3600)::bigint AS hour, sum(r.value) AS ledger,
      coalesce(sum(r.value) FILTER (WHERE j.identifier IS NOT NULL), 0) AS marked
    FROM usage_reports r LEFT JOIN usage_rejections j ON j.identifier = r.identifier
    WHERE r.stripe_customer_id = $1 AND r.event_timestamp >= to_timestamp($2) AND r.event_timestamp < to_timestamp($3)
    GROUP BY 1, 2),
  fixes AS (
    SELECT f.meter, extract(epoch FROM f.hour_start)::bigint AS hour, sum(f.value) AS marked
    FROM usage_fixes f JOIN usage_rejections j ON j.identifier = f.identifier
    WHERE f.stripe_customer_id = $1 AND f.hour_start >= to_timestamp($2) AND f.hour_start < to_timestamp($3)
    GROUP BY 1, 2)
  SELECT u.meter, u.hour, u.ledger::text, (u.marked + coalesce(f.marked, 0))::text AS marked, o.outcome,
    o.ledger_units::text AS "storedLedger", o.stripe_units::text AS "storedStripe"
  FROM usage u LEFT JOIN fixes f USING (meter, hour)
  LEFT JOIN usage_reconciliations o
    ON o.stripe_customer_id = $1 AND o.meter = u.meter AND o.hour_start = to_timestamp(u.hour)`;

/** The state of every hour of `customer` that `sent` touches. */
export async function cellStates(
  dataSource: DataSource,
  customer: string,
  sent: readonly SentUnits[],
): Promise<Map<string, CellState>> {
  if (sent.length === 0) return new Map();
  const first = sent.reduce((m, s) => Math.min(m, s.hour), Infinity);
  const last = sent.reduce((m, s) => Math.max(m, s.hour), -Infinity);
  const rows = (await dataSource.query(CELLS_SQL, [customer, first, last + HOUR])) as Array<{
    meter: string;
    hour: string;
    ledger: string;
    marked: string;
    outcome: Outcome | null;
    storedLedger: string | null;
    storedStripe: string | null;
  }>;
  return new Map(
    rows.map((r) => [
      key(r.meter, Number(r.hour)),
      {
        ledger: BigInt(r.ledger),
        marked: BigInt(r.marked),
        stored: r.outcome
          ? { outcome: r.outcome, ledger: BigInt(r.storedLedger!), stripe: BigInt(r.storedStripe!) }
          : undefined,
      },
    ]),
  );
}
