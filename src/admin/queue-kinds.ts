/**
 * Which of the service's queues a queue is, by name: on a Redis Cluster names carry hash tags
 * (`{usage-drain}`: the whole name as its tag; `stripe-events-3{17}`; queues/partitions.ts). Pure.
 */
import { ACCESS_NOTIFICATIONS_QUEUE } from '../queues/access-notifications-queue';
import { MAINTENANCE_QUEUE } from '../queues/maintenance-queue';
import { STRIPE_EVENTS_QUEUE, USAGE_DRAIN_QUEUE } from '../queues/names';

export type QueueKind = 'stripe-events' | 'usage-drain' | 'access-notifications' | 'maintenance' | 'other';

export function queueKind(name: string): QueueKind {
  const bare = /^\{[^}]*\}$/.test(name) ? name.slice(1, -1) : name;
  if (bare === STRIPE_EVENTS_QUEUE || bare.startsWith(`${STRIPE_EVENTS_QUEUE}-`)) return 'stripe-events';
  if (bare === USAGE_DRAIN_QUEUE) return 'usage-drain';
  if (bare === ACCESS_NOTIFICATIONS_QUEUE) return 'access-notifications';
  if (bare === MAINTENANCE_QUEUE) return 'maintenance';
  return 'other';
}
