/**
 * Flow C's scheduled side, wired: the `usage-reconcile` queue, its job scheduler (every
 * USAGE_RECONCILE_INTERVAL_MS; 0 = never) and its processor, comparing the last 35 days with Stripe.
 * The command (`npm run usage:reconcile`) runs the same comparison, and `--fix`, on demand.
 */
import { createUsageReconcileWorker } from '../jobs/usage-reconcile';
import { createUsageReconcileQueue, scheduleUsageReconcile } from '../queues/usage-reconcile-queue';
import type { RedisConnection } from '../runtime/redis';
import { createReconciler } from '../usage/reconcile-run';
import { STRIPE_PAST_LIMIT_S } from '../usage/window';
import type { RoleContext } from './api';

/** Starts the scheduler and its worker; returns their closers in shutdown order. */
export async function startUsageReconcile(
  ctx: RoleContext,
  redis: RedisConnection,
): Promise<Array<() => Promise<unknown>>> {
  const { config, log, metrics } = ctx;
  const queue = createUsageReconcileQueue(redis, config.KEY_PREFIX);
  await queue.setGlobalConcurrency(1);
  await scheduleUsageReconcile(queue, config.USAGE_RECONCILE_INTERVAL_MS, STRIPE_PAST_LIMIT_S);
  const { compare } = createReconciler(ctx);
  const worker = createUsageReconcileWorker(
    queue,
    { ...compare, log: log.child({ component: 'usage-reconcile' }), metrics },
    { connection: redis, prefix: config.KEY_PREFIX },
  );
  return [() => worker.close(), () => queue.close()];
}
