/**
 * `--fix` (flow C, step 3), and the re-sends of a late resume (late-resume.ts): the units Stripe
 * lacks for one (customer, meter, hour) go out as a new meter event, stamped inside the same hour (at
 * a subscription start inside it, as the drain stamps a window, reconcile-compare.ts fixTimestamp),
 * with a deterministic identifier of the cell and the attempt (`f_…`, fixIdentifier), through the
 * same meter event stream. Ledger first: the fix rows are written (`usage_fixes`, unaccepted), then
 * sent in batches of 100 and marked accepted. A fix killed half-way leaves unaccepted rows that the
 * next run sends first, with the same identifiers (Stripe drops the ones it already has), so exactly
 * the difference goes out. A cell that got a fix is compared again only once it settled, so a second
 * `--fix` never sends the same difference again; `excess` and `expired` cells are never sent.
 */
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { RateLimiter } from '../lib/rate-limiter';
import { sleep } from '../lib/wait';
import { MeterRateLimited, type MeterStream, type StreamEvent } from './meter-stream';
import { MAX_EVENTS_PER_BATCH } from './plan';
import { fixTimestamp, fixUnits } from './reconcile-compare';
import type { OutcomeRow } from './reconcile-ledger';
import { subscriptionStarts } from './subscription-starts';

export interface FixDeps {
  dataSource: DataSource;
  stream: Pick<MeterStream, 'send'>;
  limiter: Pick<RateLimiter, 'acquire'>;
  keyPrefix: string;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
  /** Called after Stripe accepted fix batch `index`, before it is marked accepted (tests kill here). */
  afterBatchAccepted?: (index: number) => Promise<void> | void;
}

/** One fix to write: the units a cell lacks and why. */
export interface FixSpec {
  customer: string;
  meter: string;
  hour: number;
  /** Fixes the cell already has: this one is attempt + 1. */
  attempts: number;
  value: bigint;
  reason: 'missing' | 'rejected' | 'resume';
}

/** `f_` + 40 hex of SHA-256 over (key prefix, customer, meter, hour, attempt): the same fix always has the same identifier. */
export function fixIdentifier(
  keyPrefix: string,
  customer: string,
  meter: string,
  hour: number,
  attempt: number,
): string {
  const text = `${keyPrefix}\nfix\n${customer}\n${meter}\n${hour}\n${attempt}`;
  return `f_${createHash('sha256').update(text).digest('hex').slice(0, 40)}`;
}

const WRITE_SQL = `INSERT INTO usage_fixes (identifier, stripe_customer_id, meter, hour_start, attempt, value, reason)
  SELECT f.identifier, f.customer, f.meter, to_timestamp(f.hour), f.attempt, f.value::bigint, f.reason
  FROM json_to_recordset($1::json) AS f(identifier text, customer text, meter text, hour bigint, attempt int, value text, reason text)
  ON CONFLICT (identifier) DO NOTHING`;

/** Writes the fix rows (unaccepted); `run` is a transaction's or the DataSource's query. */
export async function writeFixes(
  run: Pick<DataSource, 'query'>,
  keyPrefix: string,
  specs: readonly FixSpec[],
): Promise<number> {
  const rows = specs
    .filter((s) => s.value > 0n)
    .map((s) => ({
      identifier: fixIdentifier(keyPrefix, s.customer, s.meter, s.hour, s.attempts + 1),
      customer: s.customer,
      meter: s.meter,
      hour: s.hour,
      attempt: s.attempts + 1,
      value: s.value.toString(),
      reason: s.reason,
    }));
  for (let i = 0; i < rows.length; i += 1000) await run.query(WRITE_SQL, [JSON.stringify(rows.slice(i, i + 1000))]);
  return rows.length;
}

const UNSENT_SQL = `SELECT identifier, stripe_customer_id AS customer, meter,
    extract(epoch FROM hour_start)::bigint AS hour, value::text AS value
  FROM usage_fixes WHERE accepted_at IS NULL ORDER BY created_at, identifier LIMIT 1000`;
const ACCEPTED_SQL = `UPDATE usage_fixes SET accepted_at = now() WHERE identifier = ANY($1::text[])`;
const DROP_SQL = `DELETE FROM usage_fixes WHERE identifier = ANY($1::text[]) AND accepted_at IS NULL`;

export interface SendReport {
  events: number;
  units: string;
  requests: number;
  /** Unsent fixes whose hour Stripe no longer takes (35 days): dropped, their hour is expired. */
  dropped: number;
}

/** Sends every unaccepted fix, oldest first, 100 per request, and marks each batch accepted. */
export async function sendUnsentFixes(deps: FixDeps): Promise<SendReport> {
  const report: SendReport = { events: 0, units: '0', requests: 0, dropped: 0 };
  for (;;) {
    const rows = (await deps.dataSource.query(UNSENT_SQL)) as Array<{
      identifier: string;
      customer: string;
      meter: string;
      hour: string;
      value: string;
    }>;
    if (rows.length === 0) return report;
    const nowS = Math.floor((deps.now ?? Date.now)() / 1000);
    const first = rows.reduce((min, r) => Math.min(min, Number(r.hour)), Infinity);
    const starts = await subscriptionStarts(
      deps.dataSource,
      rows.map((r) => r.customer),
      first,
    );
    const events: StreamEvent[] = [];
    const expired: string[] = [];
    for (const r of rows) {
      const ts = fixTimestamp(Number(r.hour), nowS, starts.get(r.customer) ?? []);
      if (ts === undefined) expired.push(r.identifier);
      else events.push(streamEvent(r, ts));
    }
    if (expired.length) await deps.dataSource.query(DROP_SQL, [expired]);
    report.dropped += expired.length;
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_BATCH) {
      const batch = events.slice(i, i + MAX_EVENTS_PER_BATCH);
      await sendBatch(deps, batch);
      await deps.afterBatchAccepted?.(report.requests);
      report.requests++;
      await deps.dataSource.query(ACCEPTED_SQL, [batch.map((e) => e.identifier)]);
      report.events += batch.length;
      report.units = (BigInt(report.units) + batch.reduce((s, e) => s + BigInt(e.payload.value), 0n)).toString();
    }
  }
}

/** One request; Stripe's 429 waits its Retry-After and tries again (a few times). */
async function sendBatch(deps: FixDeps, batch: StreamEvent[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await deps.limiter.acquire();
    try {
      return await deps.stream.send(batch);
    } catch (error) {
      if (!(error instanceof MeterRateLimited) || attempt >= 8) throw error;
      await sleep(error.retryAfterMs);
    }
  }
}

function streamEvent(
  r: { identifier: string; customer: string; meter: string; value: string },
  ts: number,
): StreamEvent {
  return {
    event_name: r.meter,
    identifier: r.identifier,
    timestamp: new Date(ts * 1000).toISOString(),
    payload: { stripe_customer_id: r.customer, value: r.value },
  };
}

/**
 * The fixes a comparison calls for: every missing or rejected hour it compared (so settled, none
 * with a fix on its way), the units Stripe lacks; meters Stripe does not know are skipped (it would
 * refuse the fix too).
 */
export function fixesFor(differences: readonly OutcomeRow[], skipMeters: readonly string[] = []): FixSpec[] {
  return differences
    .filter((d) => (d.outcome === 'missing' || d.outcome === 'rejected') && !skipMeters.includes(d.meter))
    .map((d) => ({
      customer: d.customer,
      meter: d.meter,
      hour: d.hour,
      attempts: d.attempts ?? 0,
      value: fixUnits(d.outcome, d.ledger, d.stripe),
      reason: d.outcome as 'missing' | 'rejected',
    }));
}
