/**
 * Redis key layout of the usage counters. Product services in any language write here directly.
 *
 * Usage is spread over 16 shards (shard.ts: `CRC32(customer) mod 16`). Every key of shard `s` lives
 * under `${KEY_PREFIX}:usage:{u<s>}:` — the `{u<s>}` hash tag puts all of one shard's keys (so all
 * of one customer's counters, dedupe ids, flush requests and claims) in one Redis Cluster slot, so
 * each script touches one slot, while different shards land on different masters. KEY_PREFIX must
 * not hold a `{…}` tag of its own: Redis hashes the first tag, which would put every shard in one slot.
 *
 * | key (P = KEY_PREFIX, s = shard) | type | meaning |
 * | --- | --- | --- |
 * | `P:usage:{us}:pending` | hash | field `<customer>|<meter>|<window start, unix s>` → units counted, not yet claimed |
 * | `P:usage:{us}:id:<customer>|<event id>` | string | an event id counted within USAGE_DEDUPE_SECONDS (expires then) |
 * | `P:usage:{us}:claims` | sorted set | open claims: member = claim id, score = claim time (ms) |
 * | `P:usage:{us}:claim:<claim id>` | hash | a claimed batch: same fields as pending, frozen until Stripe accepted all of it |
 * | `<pending or claim hash>:index` | sorted set | the hash's fields, every score 0 (so in field order): one customer's cells are one lexicographic range (scripts.ts). Kept by the record and claim scripts; fields a raw HINCRBY creates are not in it |
 * | `P:usage:{us}:released` | sorted set | claims released in the last 20 minutes (score: release time, ms); the usage query needs them |
 * | `P:usage:{us}:invalid` | hash | fields a drain could not parse (kept for an operator, never sent) |
 * | `P:usage:{us}:flush` | set | `<customer>|<subscription>` of each `invoice.created` waiting for its usage flush |
 *
 * Counting without an id is one atomic command, e.g. 5 units of `api_calls` at 1767226800 for a
 * customer in shard 2:
 *   HINCRBY billing:usage:{u2}:pending "cus_123|api_calls|1767225600" 5
 * where 1767225600 = t − (t mod USAGE_WINDOW_SECONDS). Counting with an id is one RECORD_SCRIPT call
 * per shard (scripts.ts, docs/usage.md), as any language can; the TypeScript client (client.ts) sends
 * RECORD_SHARDS_SCRIPT instead, the same step for every shard of a tick in one call on a single
 * Redis, one call per shard on a cluster. The layout before shards used the single tag `{u}`
 * (LEGACY); the drain still reads it, so counters written there before an upgrade (or by a client not
 * yet upgraded) are billed, not lost.
 */

import { CUSTOMER_ID } from '../lib/ids';
import { ALL_SHARDS, shardOf } from './shard';

export const FIELD_SEPARATOR = '|';

/** The pre-shard namespace `P:usage:{u}:…`, still drained. */
export const LEGACY = 'legacy' as const;
export type Namespace = number | typeof LEGACY;

export interface UsageKeys {
  /** Which shard (or the legacy namespace) these keys belong to. */
  namespace: Namespace;
  /** Hash of counts not yet claimed by a drain. */
  pending: string;
  /** Sorted set of open claim ids (score: claim time in ms). */
  claims: string;
  /** Sorted set of recently released claim ids (score: release time in ms). */
  released: string;
  /** Hash of fields the drain could not parse. */
  invalid: string;
  /** Set of customers waiting for an invoice flush. */
  flush: string;
  /** Hash holding one claimed batch. */
  claim(claimId: string): string;
  /** The dedupe marker of one event id of one customer. */
  eventId(customer: string, id: string): string;
}

/** The Redis Cluster hash tag of a shard: `{u<shard>}`, or `{u}` for the legacy namespace. */
export const hashTag = (namespace: Namespace): string => (namespace === LEGACY ? '{u}' : `{u${namespace}}`);

/** `P:usage:{u<s>}`, the start of every key of a namespace. */
const namespaceBase = (keyPrefix: string, namespace: Namespace): string => `${keyPrefix}:usage:${hashTag(namespace)}`;

/** The dedupe marker of event `id` of `customer` (in `namespace`, its shard): usageKeys(…).eventId without the rest. */
export const eventIdKey = (keyPrefix: string, namespace: Namespace, customer: string, id: string): string =>
  `${namespaceBase(keyPrefix, namespace)}:id:${customer}${FIELD_SEPARATOR}${id}`;

/** The index of a pending or claim hash: its fields in a sorted set (scripts.ts derives it the same way). */
export const indexKey = (hashKey: string): string => `${hashKey}:index`;

export function usageKeys(keyPrefix: string, namespace: Namespace): UsageKeys {
  const base = namespaceBase(keyPrefix, namespace);
  return {
    namespace,
    pending: `${base}:pending`,
    claims: `${base}:claims`,
    released: `${base}:released`,
    invalid: `${base}:invalid`,
    flush: `${base}:flush`,
    claim: (claimId) => `${base}:claim:${claimId}`,
    eventId: (customer, id) => eventIdKey(keyPrefix, namespace, customer, id),
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
  return `${cell.customer}${FIELD_SEPARATOR}${cell.meter}${FIELD_SEPARATOR}${cell.windowStart}`;
}

/** A decoded field: a class, not a literal (why: claim.ts, claimedCell). */
class FieldCell implements UsageCell {
  constructor(
    readonly customer: string,
    readonly meter: string,
    readonly windowStart: number,
  ) {}
}

/** The time part of a field: unix seconds. */
const WINDOW_TIME = /^\d{1,12}$/;

/** Parses a hash field; `null` when it does not follow the layout (it is then set aside, not sent). */
export function decodeField(field: string): UsageCell | null {
  const parts = field.split(FIELD_SEPARATOR);
  if (parts.length !== 3) return null;
  const [customer, meter, when] = parts;
  if (!CUSTOMER_ID.test(customer) || !METER_EVENT_NAME.test(meter) || !WINDOW_TIME.test(when)) return null;
  return new FieldCell(customer, meter, Number(when));
}

/** A meter's `event_name`: letters, digits, `_ . : -`, at most 100 characters, no `|`. */
export const METER_EVENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
/** A usage event id: 1 to 100 characters of A–Z a–z 0–9 _ . : - */
export const EVENT_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

/** The keys of the shard holding `customer`'s usage. */
export function customerKeys(keyPrefix: string, customer: string): UsageKeys {
  return usageKeys(keyPrefix, shardOf(customer));
}

/** Every namespace a drain visits: the legacy one first (it only shrinks), then each shard. */
export const DRAIN_NAMESPACES: readonly Namespace[] = [LEGACY, ...ALL_SHARDS];
