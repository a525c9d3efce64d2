/**
 * Queue names. BullMQ puts every key under `${KEY_PREFIX}:${queue}:…`, and its scripts need all
 * of one queue's keys in one Redis Cluster slot: on a cluster each queue name carries a hash tag
 * (partitions.ts: `clusterQueueName`, `stripeEventQueueNames`); on one Redis these names stand.
 */
export const STRIPE_EVENTS_QUEUE = 'stripe-events';
/** Drains usage counters to Stripe meter events (one drain at a time). */
export const USAGE_DRAIN_QUEUE = 'usage-drain';
/** Stripe's thin event notifications (event destinations): the meter error reports of flow C. */
export const THIN_EVENTS_QUEUE = 'stripe-thin-events';
/** Compares the ledger with Stripe's meter event summaries on a schedule (flow C). */
export const USAGE_RECONCILE_QUEUE = 'usage-reconcile';
