/**
 * Redis key layout of the usage counters. Product services in any language write here directly.
 *
 * Every key lives under `${KEY_PREFIX}:usage:{u}:` — the `{u}` hash tag puts all usage keys in one
 * Redis Cluster slot, so the claim script may touch them together. (A hash-tagged KEY_PREFIX such as
 * `{billing}` works too: Redis hashes the first tag, which all these keys still share.)
 *
 * | key | type | meaning |
 * | --- | --- | --- |
 * | `P:usage:{u}:pending` | hash | field `<customer>|<meter>|<window start, unix s>` → units counted, not yet claimed |
 * | `P:usage:{u}:claims` | sorted set | open claims: member = claim id, score = claim time (ms) |
 * | `P:usage:{u}:claim:<claim id>` | hash | a claimed batch: same fields as pending, frozen until Stripe accepted all of it |
 * | `P:usage:{u}:invalid` | hash | fields a drain could not parse (kept for an operator, never sent) |
 * | `P:usage:{u}:flush` | set | `<customer>|<subscription>` of each `invoice.created` waiting for its usage flush |
 *
 * Counting is one atomic command, e.g. for 5 units of `api_calls` at unix time 1767226800:
 *   HINCRBY billing:usage:{u}:pending "cus_123|api_calls|1767225600" 5
 * where 1767225600 = t − (t mod USAGE_WINDOW_SECONDS). Any unix second is accepted in the third
 * part (the drain floors it to its window), but flooring keeps the hash small.
 */

import { CUSTOMER_ID } from '../lib/ids';

export const FIELD_SEPARATOR = '|';

export interface UsageKeys {
  /** Hash of counts not yet claimed by a drain. */
  pending: string;
  /** Sorted set of open claim ids (score: claim time in ms). */
  claims: string;
  /** Hash of fields the drain could not parse. */
  invalid: string;
  /** Set of customers waiting for an invoice flush. */
  flush: string;
  /** Hash holding one claimed batch. */
  claim(claimId: string): string;
}

export function usageKeys(keyPrefix: string): UsageKeys {
  const base = `${keyPrefix}:usage:{u}`;
  return {
    pending: `${base}:pending`,
    claims: `${base}:claims`,
    invalid: `${base}:invalid`,
    flush: `${base}:flush`,
    claim: (claimId) => `${base}:claim:${claimId}`,
  };
}

/** One counter cell: whose usage, of which meter, in which window. */
export interface UsageCell {
  customer: string;
  meter: string;
  /** Unix seconds; the drain floors it to its window. */
  windowStart: number;
}

export function encodeField(cell: UsageCell): string {
  return [cell.customer, cell.meter, cell.windowStart].join(FIELD_SEPARATOR);
}

/** Parses a hash field; `null` when it does not follow the layout (it is then set aside, not sent). */
export function decodeField(field: string): UsageCell | null {
  const parts = field.split(FIELD_SEPARATOR);
  if (parts.length !== 3) return null;
  const [customer, meter, when] = parts;
  if (!CUSTOMER_ID.test(customer) || !METER_EVENT_NAME.test(meter) || !/^\d{1,12}$/.test(when)) return null;
  return { customer, meter, windowStart: Number(when) };
}

/** A meter's `event_name`: letters, digits, `_ . : -`, at most 100 characters, no `|`. */
export const METER_EVENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
