/**
 * Benchmark sizes. `full` is what BENCHMARKS.md reports; `tiny` runs the same code in seconds
 * (part of `npm test`, so the benchmark cannot rot). Chosen by BENCH_SCALE or `--scale=`.
 */
export interface BenchScale {
  name: 'tiny' | 'full';
  /** Connections of the load generator for the peak runs. */
  connections: number;
  /** Distinct signed bodies per peak run (each run sends every body once). */
  ingestRequests: number;
  /** Length of the half-rate latency run, seconds. */
  halfRateSeconds: number;
  /** Jobs the worker runs at once (WORKER_CONCURRENCY). */
  workerConcurrency: number;
  /** PostgreSQL connections of the worker (DATABASE_POOL_SIZE) and of the ceiling. */
  poolSize: number;
  /** Customers and events of the end-to-end run. */
  customers: number;
  events: number;
  /** Usage increments per method, and (customer, meter) pairs of the drain. */
  usageIncrements: number;
  drainPairs: number;
  /** Pairs of the drain whose worker peak RSS is recorded, and event ids whose Redis memory is measured. */
  drainMemoryPairs: number;
  idMemoryCount: number;
  /** Pending cells of other customers beside the usage query (3c), and queries timed. */
  queryCells: number;
  queries: number;
  /** Upper bound for any one phase, ms. */
  phaseTimeoutMs: number;
  /** (customer, meter) pairs of a day that section 7 reconciles. */
  reconcilePairs: number;
}

export const SCALES: Record<BenchScale['name'], BenchScale> = {
  tiny: {
    name: 'tiny',
    connections: 8,
    ingestRequests: 300,
    halfRateSeconds: 1,
    workerConcurrency: 4,
    poolSize: 4,
    customers: 20,
    events: 300,
    usageIncrements: 2_000,
    drainPairs: 1_000,
    drainMemoryPairs: 2_000,
    idMemoryCount: 1_000,
    queryCells: 20_000,
    queries: 50,
    phaseTimeoutMs: 20_000,
    reconcilePairs: 200,
  },
  full: {
    name: 'full',
    connections: 32,
    ingestRequests: 40_000,
    halfRateSeconds: 8,
    workerConcurrency: 100,
    poolSize: 20,
    customers: 1_000,
    events: 20_000,
    usageIncrements: 100_000,
    drainPairs: 100_000,
    drainMemoryPairs: 1_000_000,
    idMemoryCount: 100_000,
    queryCells: 1_000_000,
    queries: 500,
    phaseTimeoutMs: 180_000,
    reconcilePairs: 10_000,
  },
};

export function pickScale(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): BenchScale {
  const flag = argv.find((a) => a.startsWith('--scale='))?.slice('--scale='.length);
  const name = flag ?? env.BENCH_SCALE ?? 'full';
  if (name !== 'tiny' && name !== 'full') throw new Error(`BENCH_SCALE must be tiny or full, not ${name}`);
  return SCALES[name];
}
