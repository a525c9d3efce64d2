/**
 * Flow C, step 1: a thin meter error report becomes rejected ledger units. The worker fetches the
 * full event (`GET /v2/core/events/:id`, stripe-node's `fetchEvent` on the queued notification),
 * reads every `data.reason.error_types[].sample_errors[].request.identifier` (older payloads:
 * `request.idempotency_key`) with its type's `code`, and records each identifier the engine could
 * have sent in `usage_rejections`. The ledger row sent with it (`usage_reports` or `usage_fixes`)
 * then counts as rejected — also when that row is written after the report (a resumed claim).
 * Reports hold samples only: reconciliation (reconcile.ts) finds the rest.
 */
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { isRecord } from '../lib/is-record';
import type { ThinNotification } from '../queues/thin-events-queue';
import { ENGINE_IDENTIFIER } from './plan';

/** The thin event types applied; any other is acknowledged and ignored. */
export const METER_ERROR_EVENT_TYPES: readonly string[] = [
  'v1.billing.meter.error_report_triggered',
  'v1.billing.meter.no_meter_found',
];

export interface RejectedSample {
  identifier: string;
  code: string;
}

/** Every sample of a fetched meter error event (both request shapes), first code per identifier. Pure. */
export function rejectedSamples(event: unknown): RejectedSample[] {
  const out = new Map<string, string>();
  const data = isRecord(event) && isRecord(event.data) ? event.data : undefined;
  const types = isRecord(data?.reason) && Array.isArray(data.reason.error_types) ? data.reason.error_types : [];
  for (const type of types) {
    if (!isRecord(type) || typeof type.code !== 'string' || !Array.isArray(type.sample_errors)) continue;
    for (const sample of type.sample_errors) {
      const request = isRecord(sample) && isRecord(sample.request) ? sample.request : {};
      const identifier = typeof request.identifier === 'string' ? request.identifier : request.idempotency_key;
      if (typeof identifier === 'string' && !out.has(identifier)) out.set(identifier, type.code);
    }
  }
  return [...out].map(([identifier, code]) => ({ identifier, code }));
}

/** $1 = JSON [{identifier, code}], $2 = thin event id. Returns the new rows with the meter of their ledger row (null: not in the ledger yet). */
const RECORD_SQL = `WITH input AS (SELECT * FROM json_to_recordset($1::json) AS x(identifier text, code text)),
  added AS (INSERT INTO usage_rejections (identifier, code, stripe_event_id) SELECT identifier, code, $2 FROM input
    ON CONFLICT (identifier) DO NOTHING RETURNING identifier, code)
  SELECT a.identifier, a.code, coalesce(r.meter, f.meter) AS meter
  FROM added a LEFT JOIN usage_reports r ON r.identifier = a.identifier LEFT JOIN usage_fixes f ON f.identifier = a.identifier`;

export interface ThinEventDeps {
  stripe: Stripe;
  dataSource: DataSource;
  /** Once per identifier newly recorded: its meter (`unknown` before its ledger row exists) and code. */
  onRejected?: (meter: string, code: string) => void;
}

export type ThinEventOutcome =
  | { applied: false; type: string }
  | { applied: true; type: string; samples: number; recorded: number; inLedger: number };

/** Applies one queued notification; a meter error report records its samples (idempotent under retries). */
export async function applyThinEvent(deps: ThinEventDeps, notification: ThinNotification): Promise<ThinEventOutcome> {
  const { type } = notification;
  if (!METER_ERROR_EVENT_TYPES.includes(type)) return { applied: false, type };
  const parsed = deps.stripe.parseEventNotificationWithoutVerification(JSON.stringify(notification));
  const event = await parsed.fetchEvent();
  // Identifiers of other senders on the same account are none of ours.
  const samples = rejectedSamples(event).filter((s) => ENGINE_IDENTIFIER.test(s.identifier));
  const rows = samples.length
    ? ((await deps.dataSource.query(RECORD_SQL, [JSON.stringify(samples), notification.id])) as Array<{
        identifier: string;
        code: string;
        meter: string | null;
      }>)
    : [];
  for (const r of rows) deps.onRejected?.(r.meter ?? 'unknown', r.code);
  const inLedger = rows.filter((r) => r.meter !== null).length;
  return { applied: true, type, samples: samples.length, recorded: rows.length, inLedger };
}
