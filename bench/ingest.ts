/**
 * Benchmark 1, webhook ingest: the service's POST /webhooks/stripe beside the verify-only
 * baseline, same bodies and same load, then the service at half its peak rate for p99.
 */
import { BENCH_WEBHOOK_SECRET, BenchEnv } from './env';
import { distinctDeliveries } from './events';
import type { Launcher, Running } from './launch';
import { LoadResult, postWebhooks } from './load';
import { withEventQueues } from './queues';
import type { BenchScale } from './scale';

export interface IngestResult {
  verifyOnly: LoadResult;
  service: LoadResult;
  halfRate: LoadResult & { targetRps: number };
  /** service.rps / verifyOnly.rps */
  ratio: number;
  /** 2xx answers of the service (warm-up included) and jobs found in Redis: every 200 must be there. */
  accepted: number;
  jobsStored: number;
}

let runTag = 0;
const fresh = (n: number) =>
  distinctDeliveries(n, BENCH_WEBHOOK_SECRET, `b${Date.now().toString(36)}${(runTag++).toString(36)}x`);

const ok = (r: LoadResult) => r.requests - r.non2xx;

/** A warm-up of a tenth of the size, then the measured run; returns it and the 2xx count of both. */
export async function measure(url: string, scale: BenchScale): Promise<[LoadResult, number]> {
  const warm = await postWebhooks({
    url,
    deliveries: fresh(Math.ceil(scale.ingestRequests / 10)),
    connections: scale.connections,
  });
  const run = await postWebhooks({ url, deliveries: fresh(scale.ingestRequests), connections: scale.connections });
  return [run, ok(warm) + ok(run)];
}

export async function benchIngest(
  env: BenchEnv,
  launcher: Launcher,
  api: Running,
  prefix: string,
  scale: BenchScale,
): Promise<IngestResult> {
  const baseline = await launcher.verifyOnly(env);
  const [verifyOnly] = await measure(baseline.url!, scale);
  await baseline.stop();
  const [service, serviceOk] = await measure(api.url!, scale);
  const targetRps = Math.max(1, Math.round(service.rps / 2));
  const halfRate = await postWebhooks({
    url: api.url!,
    deliveries: fresh(Math.ceil(targetRps * scale.halfRateSeconds * 1.2) + 10),
    connections: scale.connections,
    rate: targetRps,
    seconds: scale.halfRateSeconds,
  });
  const jobsStored = await storedAndCleared(env, prefix);
  const accepted = serviceOk + ok(halfRate);
  return {
    verifyOnly,
    service,
    halfRate: { ...halfRate, targetRps },
    ratio: service.rps / verifyOnly.rps,
    jobsStored,
    accepted,
  };
}

/** Jobs stored in every partition, which are then removed: the e2e run reuses the api and wants empty queues. */
export async function storedAndCleared(env: BenchEnv, prefix: string): Promise<number> {
  return withEventQueues(env, prefix, async (queues) => {
    const counts = await queues.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
    for (const queue of queues.partitions) await queue.obliterate({ force: true });
    return Object.values(counts).reduce((a, b) => a + b, 0);
  });
}
