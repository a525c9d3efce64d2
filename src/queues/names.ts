/**
 * Queue names. BullMQ puts every key under `${KEY_PREFIX}:${queue}:…`; for Redis Cluster choose a
 * hash-tagged KEY_PREFIX such as `{billing}` so all keys share one slot.
 */
export const STRIPE_EVENTS_QUEUE = 'stripe-events';
/** Drains usage counters to Stripe meter events (one drain at a time). */
export const USAGE_DRAIN_QUEUE = 'usage-drain';
