/**
 * Benchmark 3b, usage at scale: a drain of many (customer, meter) pairs by a worker-role process,
 * its peak RSS recorded (the claim is read and sent page by page, so it must not grow with the
 * claim: goal ≤ 200 MB at 1,000,000 pairs); and the Redis memory one usage event id costs.
 */
import { Redis } from 'ioredis';
import { createUsageDrainQueue, requestDrain } from '../src/queues/usage-drain-queue';
import { customerKeys, encodeField, usageKeys } from '../src/usage/keys';
import { RECORD_SCRIPT } from '../src/usage/scripts';
import { windowStart } from '../src/usage/window';
import type { BenchEnv } from './env';
import type { Launcher } from './launch';
import { BENCH_WORKER_ENV, usageLeft } from './usage';

export interface UsageMemoryResult {
  drain: {
    pairs: number;
    requests: number;
    seconds: number;
    workerPeakRssMb: number | null;
    workerRssBeforeMb: number | null;
  };
  ids: { count: number; usedMemoryBytesPerId: number; memoryUsageBytesPerKey: number };
}

const mb = (kb: number | undefined) => (kb === undefined ? null : Math.round(kb / 1024));

/** Writes `pairs` cells straight into the shards' pending hashes (the documented HINCRBY), pipelined. */
async function fill(redis: Redis, prefix: string, pairs: number): Promise<void> {
  const w = windowStart(Math.floor(Date.now() / 1000), 3600) - 3600;
  for (let i = 0; i < pairs; i += 10_000) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(pairs, i + 10_000); j++) {
      const customer = `cus_mem${Math.floor(j / 2)}`;
      p.hincrby(
        customerKeys(prefix, customer).pending,
        encodeField({ customer, meter: j % 2 ? 'storage_gb' : 'api_calls', windowStart: w }),
        1 + (j % 7),
      );
    }
    await p.exec();
  }
}

export async function benchDrainMemory(
  env: BenchEnv,
  launcher: Launcher,
  pairs: number,
  timeoutMs: number,
): Promise<UsageMemoryResult['drain']> {
  const prefix = env.prefix('m');
  const redis = new Redis(env.redisUrl);
  const worker = await launcher.service(env, { role: 'worker', prefix, env: BENCH_WORKER_ENV });
  const queue = createUsageDrainQueue(redis, prefix);
  try {
    await fill(redis, prefix, pairs);
    const workerRssBeforeMb = mb(worker.peakRssKb());
    env.standIn.resetRequests();
    const accepted = env.standIn.meterEvents.length;
    const started = process.hrtime.bigint();
    await requestDrain(queue, { reason: 'manual' }, 'bench-drain-memory');
    const deadline = Date.now() + timeoutMs;
    while ((await usageLeft(redis, prefix)) > 0 || env.standIn.meterEvents.length - accepted < pairs) {
      if (Date.now() > deadline) throw new Error(`drain of ${pairs} pairs did not finish within ${timeoutMs / 1000} s`);
      await new Promise((ok) => setTimeout(ok, 200));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const requests = env.standIn.countRequests({ method: 'POST', pathPrefix: '/v2/billing/meter_event_stream' });
    return { pairs, requests, seconds, workerPeakRssMb: mb(worker.peakRssKb()), workerRssBeforeMb };
  } finally {
    await queue.close();
    await worker.stop();
    await redis.quit();
  }
}

/**
 * Redis memory per event id: `INFO memory` used_memory before and after `count` ids recorded with
 * the record script (value 0, so only the ids grow), and MEMORY USAGE of a sample of id keys (which
 * leaves out the expiry entry). used_memory is server-wide: other clients' work adds noise.
 */
export async function measureIdMemory(env: BenchEnv, count: number): Promise<UsageMemoryResult['ids']> {
  const prefix = env.prefix('ids');
  const redis = new Redis(env.redisUrl);
  const used = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  try {
    const customer = 'cus_NffrFeUfNV2Hib';
    const keys = customerKeys(prefix, customer);
    const field = encodeField({ customer, meter: 'api_calls', windowStart: 0 });
    const before = await used();
    for (let i = 0; i < count; i += 500) {
      const ids = Array.from({ length: Math.min(500, count - i) }, (_, k) =>
        keys.eventId(customer, `req_${(i + k).toString(36).padStart(12, '0')}`),
      );
      await redis.eval(
        RECORD_SCRIPT,
        ids.length + 1,
        keys.pending,
        ...ids,
        86_400,
        ids.length,
        ...ids.flatMap(() => [field, '0']),
      );
    }
    const after = await used();
    const step = Math.max(1, Math.floor(count / 1000));
    const sample = Array.from({ length: Math.min(1000, count) }, (_, i) =>
      keys.eventId(customer, `req_${(i * step).toString(36).padStart(12, '0')}`),
    );
    const sizes = await Promise.all(sample.map((k) => redis.memory('USAGE', k, 'SAMPLES', 0)));
    await redis.del(usageKeys(prefix, keys.namespace).pending);
    return {
      count,
      usedMemoryBytesPerId: Math.round((after - before) / count),
      memoryUsageBytesPerKey: Math.round(sizes.reduce((a: number, b) => a + Number(b), 0) / sizes.length),
    };
  } finally {
    await redis.quit();
  }
}
