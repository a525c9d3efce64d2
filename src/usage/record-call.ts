/**
 * Pure building of RECORD_SCRIPT calls (scripts.ts): validated events → one call per shard, and
 * the batching of several callers' events into one call (the client coalesces calls made in the
 * same tick, so 50 callers cost one script call per shard, not 50).
 */
import { customerKeys, encodeField } from './keys';
import { shardOf } from './shard';
import type { ValidEvent } from './validate';
import { windowStart } from './window';

/** One shard's share of one or more `record` calls. */
export interface ShardBatch {
  shard: number;
  /** Events with an id, in order: dedupe key, field, value. */
  withId: Array<{ idKey: string; field: string; value: string }>;
  /** Events without an id, summed per field. */
  plain: Map<string, bigint>;
}

export const emptyBatch = (shard: number): ShardBatch => ({ shard, withId: [], plain: new Map() });

/** Adds `events` (all of shard `batch.shard`) to the batch; returns the range of `withId` they took. */
export function addEvents(batch: ShardBatch, events: readonly ValidEvent[], keyPrefix: string, windowSeconds: number): [number, number] {
  const from = batch.withId.length;
  for (const e of events) {
    const field = encodeField({ customer: e.customer, meter: e.meter, windowStart: windowStart(e.timestamp, windowSeconds) });
    if (e.id !== undefined) batch.withId.push({ idKey: customerKeys(keyPrefix, e.customer).eventId(e.customer, e.id), field, value: String(e.value) });
    else if (e.value !== 0) batch.plain.set(field, (batch.plain.get(field) ?? 0n) + BigInt(e.value));
  }
  return [from, batch.withId.length];
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

/** KEYS and ARGV of the RECORD_SCRIPT call for a batch; `pending` is the shard's pending hash. */
export function recordCall(batch: ShardBatch, pending: string, dedupeSeconds: number): { keys: string[]; args: string[] } {
  const keys = [pending, ...batch.withId.map((o) => o.idKey)];
  const args = [String(dedupeSeconds), String(batch.withId.length)];
  for (const o of batch.withId) args.push(o.field, o.value);
  for (const [field, sum] of batch.plain) args.push(field, sum.toString());
  return { keys, args };
}

/** Duplicates among `flags` (RECORD_SCRIPT's output) in [from, to). */
export function countDuplicates(flags: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (flags[i] === '1') n++;
  return n;
}
