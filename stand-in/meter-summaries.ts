/**
 * `GET /v1/billing/meters/:id/event_summaries`: what Stripe counted for one customer and meter, with
 * Stripe's rules: `customer`, `start_time` (inclusive) and `end_time` (exclusive) required; times on
 * minute boundaries, on hour boundaries with `value_grouping_window=hour`, on 00:00 UTC with `day`;
 * `limit` 1–100 (default 10) and `starting_after` paging; newest window first; a window without
 * events is left out (as in Stripe's own example answer); no window: one summary for the whole range.
 * Summaries are eventually consistent: events received less than `lagMs` ago are not counted yet.
 */
import { createHash } from 'node:crypto';
import { invalidRequest, parameterMissing } from './errors';
import type { MeterEventRecord } from './meter-validation';
import type { StripeObject } from './util';

const ALLOWED = new Set(['customer', 'start_time', 'end_time', 'value_grouping_window', 'limit', 'starting_after']);
const WINDOWS: Record<string, number> = { hour: 3600, day: 86_400 };

export interface SummaryQuery {
  meter: StripeObject;
  /** The accepted events of this customer and the meter's event name. */
  events: readonly MeterEventRecord[];
  query: Record<string, unknown>;
  path: string;
  lagMs: number;
  nowMs: number;
}

interface Summary {
  id: string;
  object: 'billing.meter_event_summary';
  aggregated_value: number;
  start_time: number;
  end_time: number;
  livemode: false;
  meter: string;
}

export function eventSummaries(q: SummaryQuery): Record<string, unknown> {
  const params = summaryParams(q.query);
  const counted = q.events.filter((e) => (e.receivedMs ?? e.created * 1000) <= q.nowMs - q.lagMs);
  const all = buckets(params, counted).map(([start, end, value]) =>
    summary(q.meter.id, params.customer, start, end, value),
  );
  let from = 0;
  if (params.startingAfter !== undefined) {
    const at = all.findIndex((s) => s.id === params.startingAfter);
    if (at < 0) throw invalidRequest(`No such object: '${params.startingAfter}'`, 'starting_after');
    from = at + 1;
  }
  const data = all.slice(from, from + params.limit);
  return { object: 'list', data, has_more: from + params.limit < all.length, url: q.path };
}

interface Params {
  customer: string;
  start: number;
  end: number;
  window?: number;
  limit: number;
  startingAfter?: string;
}

function summaryParams(query: Record<string, unknown>): Params {
  const unknown = Object.keys(query).find((k) => !ALLOWED.has(k));
  if (unknown !== undefined)
    throw invalidRequest(`Received unknown parameter: ${unknown}`, unknown, 'parameter_unknown');
  if (typeof query.customer !== 'string' || !query.customer) throw parameterMissing('customer');
  const start = time(query, 'start_time');
  const end = time(query, 'end_time');
  const name = query.value_grouping_window;
  if (name !== undefined && (typeof name !== 'string' || !(name in WINDOWS)))
    throw invalidRequest('Invalid value_grouping_window: must be one of hour, day', 'value_grouping_window');
  const window = name === undefined ? undefined : WINDOWS[name as string];
  for (const [field, t] of [
    ['start_time', start],
    ['end_time', end],
  ] as const) {
    if (t % 60 !== 0) throw invalidRequest(`${field} must be aligned with minute boundaries.`, field);
    if (window !== undefined && t % window !== 0)
      throw invalidRequest(
        `${field} must be aligned with ${name} boundaries for value_grouping_window=${name}.`,
        field,
      );
  }
  if (start >= end) throw invalidRequest('start_time must be before end_time.', 'start_time');
  const limit = query.limit === undefined ? 10 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw invalidRequest('limit must be an integer between 1 and 100.', 'limit');
  const startingAfter = typeof query.starting_after === 'string' ? query.starting_after : undefined;
  return { customer: query.customer, start, end, window, limit, startingAfter };
}

function time(query: Record<string, unknown>, field: string): number {
  if (query[field] === undefined) throw parameterMissing(field);
  const t = Number(query[field]);
  if (!Number.isSafeInteger(t)) throw invalidRequest(`Invalid integer: ${String(query[field])}`, field);
  return t;
}

/** `[start, end, sum]` per window holding events, newest first (one for the whole range without a window). */
function buckets(p: Params, events: readonly MeterEventRecord[]): Array<[number, number, number]> {
  const inRange = events.filter((e) => e.timestamp >= p.start && e.timestamp < p.end);
  const value = (list: readonly MeterEventRecord[]) => list.reduce((sum, e) => sum + Number(e.payload.value), 0);
  if (p.window === undefined) return [[p.start, p.end, value(inRange)]];
  const sums = new Map<number, number>();
  for (const e of inRange) {
    const start = e.timestamp - (e.timestamp % p.window);
    sums.set(start, (sums.get(start) ?? 0) + Number(e.payload.value));
  }
  return [...sums]
    .sort(([a], [b]) => b - a)
    .map(([start, sum]): [number, number, number] => [start, start + p.window!, sum]);
}

function summary(meter: string, customer: string, start: number, end: number, value: number): Summary {
  const digest = createHash('sha256').update(`${meter}|${customer}|${start}|${end}`).digest('hex').slice(0, 32);
  return {
    id: `mtrusg_test_${digest}`,
    object: 'billing.meter_event_summary',
    aggregated_value: value,
    start_time: start,
    end_time: end,
    livemode: false,
    meter,
  };
}
