/**
 * The `access-notifications` queue's processor: a delivery job POSTs one notification
 * (notify/notifier.ts `deliver`; anything but a 2xx, a redirect too, throws, and BullMQ retries with capped backoff
 * for days), the `sweep` job runs the sweep. It runs apart from the event worker, so a slow
 * receiver never holds up events.
 */
import { Worker } from 'bullmq';
import { instrumentWorker, type Metrics } from '../metrics';
import { deliver, NotifierDeps, sweep } from '../notify/notifier';
import { ACCESS_NOTIFICATIONS_QUEUE, AccessNotificationJob } from '../queues/access-notifications-queue';
import { cappedExponentialBackoff } from '../queues/job-options';
import { clusterQueueName } from '../queues/partitions';
import type { RedisConnection } from '../runtime/redis';

export function createNotificationWorker(
  deps: NotifierDeps,
  options: { connection: RedisConnection; prefix: string; concurrency: number; metrics?: Metrics },
): Worker<AccessNotificationJob> {
  const worker = new Worker<AccessNotificationJob>(
    clusterQueueName(ACCESS_NOTIFICATIONS_QUEUE, options.connection.isCluster),
    async (job) =>
      job.name === 'sweep' ? sweep(deps) : deliver(deps, (job.data as { body: Record<string, unknown> }).body),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      settings: { backoffStrategy: (attempts) => cappedExponentialBackoff(attempts) },
    },
  );
  worker.on('failed', (job, error) =>
    deps.log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'access notification failed'),
  );
  worker.on('error', (error) => deps.log.error({ err: error }, 'access notification worker error'));
  if (options.metrics) instrumentWorker(worker, options.metrics);
  return worker;
}
