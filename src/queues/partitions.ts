/**
 * Partitioned Stripe event queues: how many there are, what they are called (each with its own
 * Redis Cluster hash tag) and which one an event goes to. Pure functions only.
 *
 * An event goes to the partition of its key (stripe-event.ts `eventKey`: the customer it belongs
 * to, the same key the worker's advisory lock uses), so every redelivery of an event lands in the
 * same queue (its jobId still dedupes) and the events of one customer stay in one queue, in the
 * order they were enqueued.
 */
import { CLUSTER_SLOTS, crc16 } from '../lib/cluster-slot';
import { STRIPE_EVENTS_QUEUE } from './names';
import { eventKey } from './stripe-event';

/**
 * The hash tag of partition `index` of `count`: the first `0`, `1`, `2`, … whose slot falls in the
 * middle half of the index-th of `count` equal slot ranges. `redis-cli --cluster create` (and
 * managed clusters) give each master one equal, contiguous range, so partitions that are a
 * multiple of the master count spread evenly over the masters; aiming at the middle keeps a
 * partition off a range boundary.
 */
export function partitionTag(index: number, count: number): string {
  const width = CLUSTER_SLOTS / count;
  const low = index * width + width / 4;
  const high = index * width + (3 * width) / 4;
  for (let k = 0; ; k++) {
    const slot = crc16(String(k)) % CLUSTER_SLOTS;
    if (slot >= low && slot < high) return String(k);
  }
}

/**
 * The queue names of `count` partitions. One partition on one Redis keeps the historical name
 * `stripe-events`, so an upgrade keeps the jobs already queued. Otherwise `stripe-events-<i>{<tag>}`:
 * BullMQ's keys are `<prefix>:<name>:…`, so the tag puts each queue's keys in one slot, and
 * different partitions in different slots (KEY_PREFIX must then carry no tag of its own).
 */
export function stripeEventQueueNames(count: number, cluster: boolean): string[] {
  if (count === 1 && !cluster) return [STRIPE_EVENTS_QUEUE];
  return Array.from({ length: count }, (_, i) => `${STRIPE_EVENTS_QUEUE}-${i}{${partitionTag(i, count)}}`);
}

/** A queue's name on the cluster: the whole name as its hash tag (one slot per queue). */
export function clusterQueueName(name: string, cluster: boolean): string {
  return cluster ? `{${name}}` : name;
}

/** The key an event is partitioned by: its event key (stripe-event.ts), the same as its lock key. */
export const eventPartitionKey = (event: Parameters<typeof eventKey>[0]): string => eventKey(event).key;

/** The partition (0 … count−1) of a partition key. */
export function partitionOf(key: string, count: number): number {
  return count === 1 ? 0 : crc16(key) % count;
}
