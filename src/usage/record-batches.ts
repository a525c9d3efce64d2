/**
 * Pure building of RECORD_SHARDS_SCRIPT calls (scripts.ts): validated events → one batch per shard,
 * several callers' events in one batch (the client coalesces calls made in the same tick, so 50
 * callers cost one script call, or one per shard on a cluster, not 50).
 */
import { encodeField, eventIdKey } from './keys';
import { shardOf } from './shard';
import type { ValidEvent } from './validate';
import { windowStart } from './window';

/** One shard's share of one or more `record` calls. */
export interface ShardBatch {
  shard: number;
  /** Events with an id, in order: dedupe key, field, value. */
  withId: Array<{ idKey: string; field: string; value: string }>;
  /** Events without an id, summed per field (a number while the sum is a safe integer). */
  plain: Map<string, number | bigint>;
}

export const emptyBatch = (shard: number): ShardBatch => ({ shard, withId: [], plain: new Map() });

/** Adds `events` (all of shard `batch.shard`) to the batch; returns the range of `withId` they took. */
export function addEvents(
  batch: ShardBatch,
  events: readonly ValidEvent[],
  keyPrefix: string,
  windowSeconds: number,
): [number, number] {
  const from = batch.withId.length;
  for (const e of events) {
    const field = encodeField({
      customer: e.customer,
      meter: e.meter,
      windowStart: windowStart(e.timestamp, windowSeconds),
    });
    if (e.id !== undefined)
      batch.withId.push({ idKey: eventIdKey(keyPrefix, batch.shard, e.customer, e.id), field, value: String(e.value) });
    else if (e.value !== 0) batch.plain.set(field, addUnits(batch.plain.get(field), e.value));
  }
  return [from, batch.withId.length];
}

/** `sum + value` exactly: numbers on the hot path (BigInt allocates), BigInt past 2^53 − 1. */
function addUnits(sum: number | bigint | undefined, value: number): number | bigint {
  if (sum === undefined) return value;
  // Both operands are safe integers, so a float sum that is still safe is exact.
  if (typeof sum === 'number' && Number.isSafeInteger(sum + value)) return sum + value;
  return BigInt(sum) + BigInt(value);
}

/** Groups events by the shard of their customer. */
export function byShard(events: readonly ValidEvent[]): Map<number, ValidEvent[]> {
  const groups = new Map<number, ValidEvent[]>();
  for (const e of events) {
    const shard = shardOf(e.customer);
    const group = groups.get(shard);
    if (group) group.push(e);
    else groups.set(shard, [e]);
  }
  return groups;
}

/**
 * KEYS and ARGV of one RECORD_SHARDS_SCRIPT call carrying `batches` (distinct shards); `pending`
 * names a shard's pending hash.
 */
export function recordShardsCall(
  batches: readonly ShardBatch[],
  pending: (shard: number) => string,
  dedupeSeconds: number,
): { keys: string[]; args: string[] } {
  const keys: string[] = [];
  const args = [String(dedupeSeconds)];
  for (const batch of batches) {
    keys.push(pending(batch.shard));
    args.push(String(batch.withId.length), String(batch.plain.size));
    for (const o of batch.withId) {
      keys.push(o.idKey);
      args.push(o.field, o.value);
    }
    for (const [field, sum] of batch.plain) args.push(field, sum.toString());
  }
  return { keys, args };
}

/** Duplicates among `flags` (one shard's output of RECORD_SHARDS_SCRIPT) in [from, to). */
export function countDuplicates(flags: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (flags[i] === '1') n++;
  return n;
}
