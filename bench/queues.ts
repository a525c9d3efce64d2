/** The benchmark's handle on the service's Stripe event queues, on one Redis or on the cluster of a BenchEnv. */
import { createStripeEventQueues, StripeEventQueues } from '../src/queues/stripe-events-queue';
import { connectRedis, createWorkerRedis } from '../src/runtime/redis';
import type { BenchEnv } from './env';

/** Opens every partition under `prefix`, runs `use`, and closes the queues and their connection. */
export async function withEventQueues<T>(
  env: BenchEnv,
  prefix: string,
  use: (queues: StripeEventQueues) => Promise<T>,
): Promise<T> {
  const connection = createWorkerRedis(env.clusterNodes ? { clusterNodes: env.clusterNodes } : { url: env.redisUrl });
  await connectRedis(connection);
  const queues = createStripeEventQueues(connection, prefix, env.partitions);
  try {
    return await use(queues);
  } finally {
    await queues.close();
    await connection.quit();
  }
}
