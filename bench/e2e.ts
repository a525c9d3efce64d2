/**
 * Benchmark 2, end to end: a realistic mix of events over many customers (with duplicates and a
 * few same-second ties) from the first webhook request until the last event is applied in
 * PostgreSQL, beside the bare-transaction ceiling over the same pool size.
 */
import { Client } from 'pg';
import type Stripe from 'stripe';
import { runCeiling, CeilingResult } from './ceiling';
import { cpuSnapshot, cpuSpent } from './cpu';
import { BENCH_WEBHOOK_SECRET, BenchEnv } from './env';
import { eventMix } from './events';
import type { Running } from './launch';
import { postWebhooks } from './load';
import { withEventQueues } from './queues';
import type { BenchScale } from './scale';

export interface EndToEndResult {
  deliveries: number;
  distinct: number;
  duplicates: number;
  ties: number;
  customers: number;
  /** Jobs the worker ran at once, over a pool of ceiling.poolSize connections. */
  workerConcurrency: number;
  seconds: number;
  eventsPerSec: number;
  ceiling: CeilingResult;
  /** eventsPerSec / ceiling.txPerSec */
  ratio: number;
  stripeReads: number;
  stripeReadsPerEvent: number;
  /**
   * CPU µs per delivery from the first request to the last event applied, per process: the api and
   * worker roles, every PostgreSQL and Redis server process on the box, and this process (the load
   * generator). With the in-process launcher (tiny runs) api, worker and load generator are one process.
   */
  cpuPerEventUs: { api: number; worker: number; postgres: number; redis: number; loadGenerator: number };
  /** Sanity of the result: what PostgreSQL and the queue hold afterwards. */
  checks: { processedEvents: number; customers: number; subscriptions: number; failedJobs: number; non2xx: number };
}

async function count(db: Client, table: string): Promise<number> {
  return Number((await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
}

export async function benchEndToEnd(
  env: BenchEnv,
  api: Running,
  startWorker: () => Promise<Running>,
  prefix: string,
  scale: BenchScale,
): Promise<EndToEndResult & { worker: Running }> {
  const mix = eventMix({
    customers: scale.customers,
    total: scale.events,
    secret: BENCH_WEBHOOK_SECRET,
    put: (o) => env.standIn.put(o),
  });
  const ceiling = await runCeiling(
    env.dbUrl,
    mix.deliveries.map((d) => JSON.parse(d.body) as Stripe.Event),
    scale.poolSize,
  );
  const worker = await startWorker();
  const db = new Client({ connectionString: env.dbUrl });
  await db.connect();
  try {
    env.standIn.resetRequests();
    const cpuBefore = cpuSnapshot();
    const selfBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    const load = await postWebhooks({ url: api.url!, deliveries: mix.deliveries, connections: scale.connections });
    const deadline = Date.now() + scale.phaseTimeoutMs;
    while ((await count(db, 'processed_events')) < mix.distinct) {
      if (Date.now() > deadline)
        throw new Error(`end-to-end: not every event applied within ${scale.phaseTimeoutMs} ms`);
      await new Promise((ok) => setTimeout(ok, 20));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const self = process.cpuUsage(selfBefore);
    const cpuAfter = cpuSnapshot();
    const perEvent = (ms: number) => Math.round((ms * 1000) / mix.deliveries.length);
    const cpuPerEventUs = {
      api: perEvent(cpuSpent(cpuBefore, cpuAfter, (pid) => pid === api.pid)),
      worker: perEvent(cpuSpent(cpuBefore, cpuAfter, (pid) => pid === worker.pid)),
      postgres: perEvent(cpuSpent(cpuBefore, cpuAfter, (_, name) => name.startsWith('postgres'))),
      redis: perEvent(cpuSpent(cpuBefore, cpuAfter, (_, name) => name.startsWith('redis-server'))),
      loadGenerator: perEvent((self.user + self.system) / 1000),
    };
    // Object retrievals (a refetch on a tie); the replay scheduler's /v1/events reads are not per event.
    const stripeReads = env.standIn.countRequests(
      (r) => r.method === 'GET' && /^\/v1\/(customers|subscriptions|invoices|prices|products|checkout)\//.test(r.path),
    );
    const checks = {
      processedEvents: await count(db, 'processed_events'),
      customers: await count(db, 'customers'),
      subscriptions: await count(db, 'subscriptions'),
      failedJobs: await withEventQueues(env, prefix, async (queues) => (await queues.getJobCounts('failed')).failed),
      non2xx: load.non2xx + load.errors,
    };
    const eventsPerSec = mix.deliveries.length / seconds;
    return {
      deliveries: mix.deliveries.length,
      distinct: mix.distinct,
      duplicates: mix.duplicates,
      ties: mix.ties,
      customers: mix.customers,
      workerConcurrency: scale.workerConcurrency,
      seconds,
      eventsPerSec,
      ceiling,
      ratio: eventsPerSec / ceiling.txPerSec,
      stripeReads,
      stripeReadsPerEvent: stripeReads / mix.deliveries.length,
      cpuPerEventUs,
      checks,
      worker,
    };
  } finally {
    await db.end();
  }
}
