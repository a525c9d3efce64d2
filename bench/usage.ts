/**
 * Benchmark 3, usage: increments/s through the TypeScript client and through POST /v1/usage
 * beside raw pipelined INCR from Node, then a drain of many (customer, meter) pairs by the worker
 * role: Stripe requests made (must be ⌈pairs/100⌉) and seconds from asking until all is accepted.
 */
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { createUsageDrainQueue, requestDrain } from '../src/queues/usage-drain-queue';
import { UsageClient } from '../src/usage/client';
import { DRAIN_NAMESPACES, usageKeys } from '../src/usage/keys';
import { BENCH_API_KEY, BenchEnv } from './env';
import type { Running } from './launch';
import { FIXED_AMOUNT_SAMPLE_MS } from './load';
import type { BenchScale } from './scale';

export interface Throughput {
  count: number;
  seconds: number;
  perSec: number;
}

export interface UsageResult {
  rawIncr: Throughput & { pipeline: number };
  client: Throughput;
  /** Absent in reports made before the ratio had rounds. */
  clientWithIds?: Throughput;
  roundRatios?: number[];
  http: Throughput & { eventsPerRequest: number };
  httpSingle: Throughput;
  drain: {
    pairs: number;
    requests: number;
    expectedRequests: number;
    seconds: number;
    eventsAccepted: number;
    rateLimitPerSecond: number;
  };
}

/**
 * The worker env of the benchmark: no early usage drains while counting, a high meter rate limit,
 * and no replay scheduler (its Events API reads are not per-event work).
 */
export const BENCH_WORKER_ENV = {
  USAGE_FLUSH_THRESHOLD: '1000000000',
  STRIPE_METER_RATE_LIMIT_PER_SECOND: '10000',
  REPLAY_INTERVAL_MS: '0',
};

const CLIENTS = 50;

async function timed(count: number, run: () => Promise<void>): Promise<Throughput> {
  const started = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { count, seconds, perSec: count / seconds };
}

/** `total` units of work split over CLIENTS concurrent loops. */
async function loops(total: number, step: number, body: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = next; i < total; i = next) {
        next += step;
        await body(i);
      }
    }),
  );
}

async function postUsage(url: string, count: number, perRequest: number, connections: number): Promise<Throughput> {
  const events = Array.from({ length: perRequest }, (_, i) => ({
    customer: `cus_benchhttp${i % 50}`,
    meter: 'api_calls',
    value: 1,
  }));
  const body = JSON.stringify(perRequest === 1 ? events[0] : { events });
  const requests = Math.ceil(count / perRequest);
  const started = process.hrtime.bigint();
  let last = started;
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/v1/usage`,
        method: 'POST',
        body,
        connections,
        amount: requests,
        timeout: 10,
        sampleInt: FIXED_AMOUNT_SAMPLE_MS,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}` },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    // Timed to the last response: autocannon ends a fixed-amount run on its next 1 s tick.
    instance.on('response', () => (last = process.hrtime.bigint()));
  });
  if (r.non2xx || r.errors) throw new Error(`POST /v1/usage: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const seconds = Number(last - started) / 1e9;
  return { count: r.requests.total * perRequest, seconds, perSec: (r.requests.total * perRequest) / seconds };
}

/** Rounds of the client ratio; the reported round is the median by ratio. */
const RATIO_ROUNDS = 5;

export interface ClientRatio {
  rawIncr: Throughput;
  client: Throughput;
  /** The same client calls, each event with a fresh id (dedupe marker written): not part of the goal. */
  clientWithIds: Throughput;
  pipeline: number;
  /** client / raw INCR of every round, in order; the reported figures are the median round's. */
  roundRatios: number[];
}

/**
 * Raw pipelined INCR (the ceiling) against `UsageClient.record`, one event per call, CLIENTS calls
 * at once, in the same run: the client coalesces the calls of a tick into one script call.
 * Both first run one round untimed (in a fresh process the client's first round ran about a third
 * slower than the next ones: JIT compilation and script loading, which a long-running service pays
 * once), then RATIO_ROUNDS alternating rounds, so a busy moment of this shared machine moves one
 * round, not the figure.
 */
export async function benchClientRatio(redis: Redis, prefix: string, n: number): Promise<ClientRatio> {
  const pipeline = 16;
  const rawKey = `${prefix}:bench:incr`;
  const raw = (count: number) =>
    loops(count, pipeline, async () => {
      const p = redis.pipeline();
      for (let k = 0; k < pipeline; k++) p.incr(rawKey);
      await p.exec();
    });
  // Ids expire a minute later rather than weigh on Redis through the rest of the benchmark.
  const client = new UsageClient({ redis, keyPrefix: prefix, dedupeSeconds: 60 });
  const viaClient = (count: number, ids?: string) =>
    loops(count, 1, (i) =>
      client.record({
        customer: `cus_benchclient${i % 50}`,
        meter: 'api_calls',
        value: 1,
        ...(ids === undefined ? {} : { id: `${ids}-${i}` }),
      }),
    );
  await raw(n);
  await viaClient(n);
  const rounds: Array<{ rawIncr: Throughput; client: Throughput }> = [];
  for (let r = 0; r < RATIO_ROUNDS; r++)
    rounds.push({ rawIncr: await timed(n, () => raw(n)), client: await timed(n, () => viaClient(n)) });
  const ratioOf = (x: { rawIncr: Throughput; client: Throughput }) => x.client.perSec / x.rawIncr.perSec;
  const median = [...rounds].sort((a, b) => ratioOf(a) - ratioOf(b))[Math.floor(RATIO_ROUNDS / 2)];
  // Ids last: each one leaves a key in Redis for a minute.
  await viaClient(Math.ceil(n / 10), 'warm');
  const clientWithIds = await timed(n, () => viaClient(n, 'timed'));
  return { ...median, clientWithIds, pipeline, roundRatios: rounds.map(ratioOf) };
}

export async function benchUsage(env: BenchEnv, api: Running, prefix: string, scale: BenchScale): Promise<UsageResult> {
  const redis = new Redis(env.redisUrl);
  try {
    const n = scale.usageIncrements;
    const {
      rawIncr,
      client: viaClient,
      clientWithIds,
      pipeline,
      roundRatios,
    } = await benchClientRatio(redis, prefix, n);
    const client = new UsageClient({ redis, keyPrefix: prefix });
    const http = await postUsage(api.url!, n, 100, scale.connections);
    const httpSingle = await postUsage(api.url!, Math.ceil(n / 4), 1, scale.connections);
    // Only the drain's own pairs may reach Stripe.
    await redis.del(...DRAIN_NAMESPACES.map((ns) => usageKeys(prefix, ns).pending));
    const drain = await benchDrain(env, redis, client, prefix, scale.drainPairs);
    return {
      rawIncr: { ...rawIncr, pipeline },
      client: viaClient,
      clientWithIds,
      roundRatios,
      http: { ...http, eventsPerRequest: 100 },
      httpSingle,
      drain,
    };
  } finally {
    await redis.quit();
  }
}

async function benchDrain(
  env: BenchEnv,
  redis: Redis,
  client: UsageClient,
  prefix: string,
  pairs: number,
): Promise<UsageResult['drain']> {
  const meters = ['api_calls', 'storage_gb'];
  const customers = Math.ceil(pairs / meters.length);
  const all = Array.from({ length: customers * meters.length }, (_, i) => ({
    customer: `cus_drain${Math.floor(i / meters.length)}`,
    meter: meters[i % meters.length],
    value: 1 + (i % 7),
  })).slice(0, pairs);
  for (let i = 0; i < all.length; i += 1000) await client.record(all.slice(i, i + 1000));
  env.standIn.resetRequests();
  const accepted = env.standIn.meterEvents.length;
  const queue = createUsageDrainQueue(redis, prefix);
  try {
    const started = process.hrtime.bigint();
    await requestDrain(queue, { reason: 'manual' }, 'bench-drain');
    const deadline = Date.now() + 300_000;
    for (;;) {
      if ((await usageLeft(redis, prefix)) === 0 && env.standIn.meterEvents.length - accepted >= pairs) break;
      if (Date.now() > deadline) throw new Error('usage drain did not finish within 300 s');
      await new Promise((ok) => setTimeout(ok, 20));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const requests = env.standIn.countRequests({ method: 'POST', pathPrefix: '/v2/billing/meter_event_stream' });
    return {
      pairs,
      requests,
      expectedRequests: Math.ceil(pairs / 100),
      seconds,
      eventsAccepted: env.standIn.meterEvents.length - accepted,
      rateLimitPerSecond: Number(BENCH_WORKER_ENV.STRIPE_METER_RATE_LIMIT_PER_SECOND),
    };
  } finally {
    await queue.close();
  }
}

/** Pending cells plus open claims, over every shard. */
export async function usageLeft(redis: Redis, prefix: string): Promise<number> {
  const counts = await Promise.all(
    DRAIN_NAMESPACES.map((ns) => usageKeys(prefix, ns)).flatMap((k) => [redis.hlen(k.pending), redis.zcard(k.claims)]),
  );
  return counts.reduce((a, b) => a + b, 0);
}
