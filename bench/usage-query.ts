/**
 * Benchmark 3c, the usage query (`GET /v1/customers/:id/usage`, usage/usage-query.ts) next to a
 * busy shard (issue 23): `queryCells` pending cells of other customers, all in the target
 * customer's shard (the worst case: the script reads that shard), counted through the record script
 * as the client and the API count them, so indexed. Then the target's query, in-process (its Redis
 * script and its ledger SELECT), timed one after another; and Redis's slowest command meanwhile,
 * from SLOWLOG (entries of this run's own named connection; the threshold is lowered for the run
 * and put back after). Then the same with the index removed: the query as it was before the index,
 * and as it still is while a hash holds counters a raw HINCRBY created.
 */
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/db/data-source';
import { customerKeys, encodeField, indexKey } from '../src/usage/keys';
import { RECORD_SCRIPT } from '../src/usage/scripts';
import { shardOf } from '../src/usage/shard';
import { customerUsage, type UsageQueryDeps } from '../src/usage/usage-query';
import { windowStart } from '../src/usage/window';
import type { BenchEnv } from './env';

export interface QueryTiming {
  queries: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Redis's slowest command on the target's shard during these queries (SLOWLOG), µs, and what it was; their median. */
  slowestCommandUs: number;
  medianCommandUs: number;
  slowestCommand: string;
}

export interface UsageQueryResult {
  otherCells: number;
  targetCells: number;
  fillSeconds: number;
  /** MEMORY USAGE of the shard's pending hash and of its index, bytes per cell. */
  hashBytesPerCell: number;
  indexBytesPerCell: number;
  indexed: QueryTiming;
  unindexed: QueryTiming;
}

const TARGET = 'cus_BenchQueryTarget';
const METERS = 10;
const FIELDS_PER_CALL = 1000;

/** Records `cells` cells of other customers of the target's shard through RECORD_SCRIPT (indexed). */
async function fill(redis: Redis, pending: string, cells: number): Promise<void> {
  const shard = shardOf(TARGET);
  const w = windowStart(Math.floor(Date.now() / 1000), 3600) - 3600;
  let args: string[] = [];
  let inFlight: Array<Promise<unknown>> = [];
  const send = async () => {
    inFlight.push(redis.eval(RECORD_SCRIPT, 1, pending, 86_400, 0, ...args));
    args = [];
    if (inFlight.length < 16) return;
    await Promise.all(inFlight);
    inFlight = [];
  };
  for (let i = 0, written = 0; written < cells; i++) {
    const customer = `cus_q${i}`;
    if (shardOf(customer) !== shard) continue;
    for (let m = 0; m < METERS && written < cells; m++, written++) {
      args.push(encodeField({ customer, meter: `m${m}`, windowStart: w }), '1');
      if (args.length === 2 * FIELDS_PER_CALL) await send();
    }
  }
  if (args.length) await send();
  await Promise.all(inFlight);
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** Times `count` queries; SLOWLOG entries are those of connection `name` on the target's shard (`pending`). */
async function timeQueries(
  deps: UsageQueryDeps,
  redis: Redis,
  name: string,
  pending: string,
  count: number,
  expected: number,
) {
  const range = { from: 0, to: Math.floor(Date.now() / 1000) + 300 };
  await customerUsage(deps, TARGET, range); // untimed: loads the script into Redis, warms the pool
  const [last] = (await redis.slowlog('GET', 1)) as Array<[number]>;
  const durations: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    const answer = await customerUsage(deps, TARGET, range);
    durations.push(Number(process.hrtime.bigint() - started) / 1e6);
    const pending = Object.values(answer.meters).reduce((n, m) => n + m.pending, 0);
    if (pending !== expected) throw new Error(`usage query bench: ${pending} units pending, expected ${expected}`);
  }
  const log = (await redis.slowlog('GET', 100_000)) as Array<[number, number, number, string[], string, string]>;
  const ours = log
    .filter((e) => e[0] > (last?.[0] ?? -1) && e[5] === name && e[3].includes(pending))
    .sort((a, b) => b[2] - a[2]);
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    queries: count,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1],
    slowestCommandUs: ours[0]?.[2] ?? 0,
    medianCommandUs: ours.length ? ours[Math.floor(ours.length / 2)][2] : 0,
    slowestCommand: ours[0]?.[3].slice(0, 1).join(' ').toUpperCase() ?? 'none',
  };
}

/** Lowers SLOWLOG's threshold to 0 (and lengthens it) while `run` runs, then puts both back. */
async function withFullSlowlog<T>(redis: Redis, run: () => Promise<T>): Promise<T> {
  const [, threshold] = (await redis.config('GET', 'slowlog-log-slower-than')) as [string, string];
  const [, length] = (await redis.config('GET', 'slowlog-max-len')) as [string, string];
  await redis.config('SET', 'slowlog-log-slower-than', '0');
  await redis.config('SET', 'slowlog-max-len', '100000');
  try {
    return await run();
  } finally {
    await redis.config('SET', 'slowlog-log-slower-than', threshold);
    await redis.config('SET', 'slowlog-max-len', length);
  }
}

export async function benchUsageQuery(
  env: BenchEnv,
  scale: { queryCells: number; queries: number },
): Promise<UsageQueryResult> {
  const prefix = env.prefix('uq');
  const name = `bench-usage-query-${env.id}`;
  const redis = new Redis(env.redisUrl, { connectionName: name });
  const dataSource: DataSource = createDataSource(env.dbUrl, { poolSize: 2 });
  await dataSource.initialize();
  try {
    const keys = customerKeys(prefix, TARGET);
    const started = process.hrtime.bigint();
    await fill(redis, keys.pending, scale.queryCells);
    const fillSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const now = Math.floor(Date.now() / 1000);
    const mine = Array.from({ length: 24 }, (_, i) => [
      encodeField({ customer: TARGET, meter: `m${i % 2}`, windowStart: windowStart(now - 3600 * (i >> 1), 3600) }),
      String(i + 1),
    ]).flat();
    await redis.eval(RECORD_SCRIPT, 1, keys.pending, 86_400, 0, ...mine);
    const expected = (24 * 25) / 2;
    const bytes = async (key: string) => Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    const cells = scale.queryCells + 24;
    const [hashBytes, indexBytes] = [await bytes(keys.pending), await bytes(indexKey(keys.pending))];
    const deps: UsageQueryDeps = { redis, dataSource, keyPrefix: prefix, windowSeconds: 3600 };
    return await withFullSlowlog(redis, async () => {
      const indexed = await timeQueries(deps, redis, name, keys.pending, scale.queries, expected);
      await redis.unlink(indexKey(keys.pending));
      const few = Math.max(5, Math.round(scale.queries / 25));
      const unindexed = await timeQueries(deps, redis, name, keys.pending, few, expected);
      return {
        otherCells: scale.queryCells,
        targetCells: 24,
        fillSeconds,
        hashBytesPerCell: hashBytes / cells,
        indexBytesPerCell: indexBytes / cells,
        indexed,
        unindexed,
      };
    });
  } finally {
    await dataSource.destroy();
    await redis.quit();
  }
}
