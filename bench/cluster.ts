/**
 * Benchmark 5, Redis Cluster: webhook ingest (one api at its peak) and end to end (one api, one
 * worker) on a local three-master cluster with 6 Stripe event partitions, beside the same two
 * measurements on the single Redis with 1 and with 6 partitions (which separates the cost of the
 * partitions from that of the cluster), back to back, each in a fresh database.
 */
import { benchEndToEnd } from './e2e';
import { BenchEnv } from './env';
import { measure, storedAndCleared } from './ingest';
import type { Launcher } from './launch';
import type { BenchScale } from './scale';
import { BENCH_WORKER_ENV } from './usage';
import { RedisCluster } from '../test/support/redis-cluster';

/** Two partitions per master: an even spread (queues/partitions.ts). */
export const BENCH_CLUSTER_PARTITIONS = 6;

export interface ClusterSide {
  ingestRps: number;
  ingestP99: number;
  eventsPerSec: number;
  ceilingTxPerSec: number;
  /** eventsPerSec / ceilingTxPerSec */
  endToEndRatio: number;
  non2xx: number;
}

export interface ClusterResult {
  masters: number;
  partitions: number;
  single: ClusterSide;
  /** The single Redis with the cluster's partitions. */
  singlePartitioned: ClusterSide;
  cluster: ClusterSide;
  /** cluster / single */
  ingestRatio: number;
  endToEndRatio: number;
  /** Keys each master held after the cluster run (every one must hold a share). */
  keysPerMaster: number[];
}

async function measureSide(launcher: Launcher, scale: BenchScale, partitions: number, cluster?: RedisCluster): Promise<ClusterSide> {
  const env = await BenchEnv.create();
  env.partitions = partitions;
  if (cluster) env.clusterNodes = cluster.masters.map((m) => ({ host: '127.0.0.1', port: m.port }));
  try {
    const prefix = env.prefix('q');
    const api = await launcher.service(env, { role: 'api', prefix });
    const [ingest] = await measure(api.url!, scale);
    await storedAndCleared(env, prefix);
    const workerEnv = { ...BENCH_WORKER_ENV, WORKER_CONCURRENCY: String(scale.workerConcurrency), DATABASE_POOL_SIZE: String(scale.poolSize) };
    const e2e = await benchEndToEnd(env, api, () => launcher.service(env, { role: 'worker', prefix, env: workerEnv }), prefix, scale);
    return {
      ingestRps: ingest.rps, ingestP99: ingest.p99, eventsPerSec: e2e.eventsPerSec, ceilingTxPerSec: e2e.ceiling.txPerSec,
      endToEndRatio: e2e.ratio, non2xx: ingest.non2xx + e2e.checks.non2xx + e2e.checks.failedJobs,
    };
  } finally {
    await env.cleanup();
  }
}

export async function benchCluster(launcher: Launcher, scale: BenchScale, log: (line: string) => void = () => {}): Promise<ClusterResult> {
  log('    single Redis');
  const single = await measureSide(launcher, scale, 1);
  log(`    single Redis, ${BENCH_CLUSTER_PARTITIONS} partitions`);
  const singlePartitioned = await measureSide(launcher, scale, BENCH_CLUSTER_PARTITIONS);
  const cluster = await RedisCluster.start();
  try {
    log(`    Redis Cluster, ${cluster.masters.length} masters, ${BENCH_CLUSTER_PARTITIONS} partitions`);
    const onCluster = await measureSide(launcher, scale, BENCH_CLUSTER_PARTITIONS, cluster);
    return {
      masters: cluster.masters.length, partitions: BENCH_CLUSTER_PARTITIONS, single, singlePartitioned, cluster: onCluster,
      ingestRatio: onCluster.ingestRps / single.ingestRps, endToEndRatio: onCluster.eventsPerSec / single.eventsPerSec,
      keysPerMaster: await cluster.keysPerMaster(),
    };
  } finally {
    await cluster.destroy();
  }
}
