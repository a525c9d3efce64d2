/**
 * One benchmark run: sets up its own database, key prefixes and Stripe stand-in, starts the api
 * role once (ingest, end to end and usage all go through it) and the worker for the end-to-end
 * phase, measures, and tears everything down whatever happens.
 */
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { benchAccess } from './access';
import { benchCluster } from './cluster';
import { coreSpeed } from './cpu';
import { benchEndToEnd } from './e2e';
import { BenchEnv } from './env';
import { benchIngest } from './ingest';
import type { Launcher } from './launch';
import { goals, machine, Report } from './report';
import type { BenchScale } from './scale';
import { benchUsage, BENCH_WORKER_ENV } from './usage';
import { benchDrainMemory, measureIdMemory } from './usage-memory';
import { benchUsageQuery } from './usage-query';

export interface BenchOptions {
  scale: BenchScale;
  launcher: Launcher;
  log?: (line: string) => void;
  /** Also run section 5, ingest and end to end on a local Redis Cluster (npm run bench does). */
  cluster?: boolean;
}

const mb = (kb: number | undefined) => (kb === undefined ? null : Math.round(kb / 1024));

async function versions(env: BenchEnv): Promise<[string, string]> {
  const db = new Client({ connectionString: env.dbUrl });
  await db.connect();
  const pg = String((await db.query('SHOW server_version')).rows[0].server_version);
  await db.end();
  const redis = new Redis(env.redisUrl);
  const info = await redis.info('server');
  await redis.quit();
  return [`PostgreSQL ${pg}`, /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'];
}

export async function runBench(opts: BenchOptions): Promise<Report> {
  const log = opts.log ?? (() => {});
  const env = await BenchEnv.create();
  const onSignal = () => void env.cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const speedBefore = coreSpeed();
    const [postgres, redis] = await versions(env);
    const prefix = env.prefix('q');
    const api = await opts.launcher.service(env, { role: 'api', prefix });
    log('1/4 webhook ingest');
    const ingest = await benchIngest(env, opts.launcher, api, prefix, opts.scale);
    log(
      `    ingest ${ingest.service.rps.toFixed(0)} req/s vs verify-only ${ingest.verifyOnly.rps.toFixed(0)} (ratio ${ingest.ratio.toFixed(3)}), p99 at half ${ingest.halfRate.p99} ms`,
    );
    log('2/4 end to end');
    const { worker, ...endToEnd } = await benchEndToEnd(
      env,
      api,
      () =>
        opts.launcher.service(env, {
          role: 'worker',
          prefix,
          env: {
            ...BENCH_WORKER_ENV,
            WORKER_CONCURRENCY: String(opts.scale.workerConcurrency),
            DATABASE_POOL_SIZE: String(opts.scale.poolSize),
          },
        }),
      prefix,
      opts.scale,
    );
    log(
      `    ${endToEnd.eventsPerSec.toFixed(0)} events/s vs ceiling ${endToEnd.ceiling.txPerSec.toFixed(0)} tx/s (ratio ${endToEnd.ratio.toFixed(3)}), ${endToEnd.stripeReads} Stripe reads`,
    );
    log('3/4 usage');
    const usage = await benchUsage(env, api, prefix, opts.scale);
    log(
      `    client ${usage.client.perSec.toFixed(0)}/s, http ${usage.http.perSec.toFixed(0)}/s, raw INCR ${usage.rawIncr.perSec.toFixed(0)}/s; drain ${usage.drain.pairs} pairs: ${usage.drain.requests} requests in ${usage.drain.seconds.toFixed(2)} s`,
    );
    log('access API');
    const access = await benchAccess(env, opts.launcher, api, prefix, opts.scale);
    log(
      `    ${access.service.rps.toFixed(0)} req/s vs bare route ${access.ceiling.rps.toFixed(0)} (ratio ${access.ratio.toFixed(3)}), p99 at half ${access.halfRate.p99} ms, ${access.wrong} of ${access.checked} answers wrong, ${access.stale} of ${access.changed} stale after a change`,
    );
    log('3b/4 usage at scale');
    const usageMemory = {
      drain: await benchDrainMemory(env, opts.launcher, opts.scale.drainMemoryPairs, opts.scale.phaseTimeoutMs * 5),
      ids: await measureIdMemory(env, opts.scale.idMemoryCount),
    };
    log(
      `    drain of ${usageMemory.drain.pairs} pairs: worker peak RSS ${usageMemory.drain.workerPeakRssMb} MB in ${usageMemory.drain.seconds.toFixed(1)} s; ${usageMemory.ids.usedMemoryBytesPerId} B per event id`,
    );
    log('3c/4 usage query next to a busy shard');
    const usageQuery = await benchUsageQuery(env, opts.scale);
    log(
      `    p99 ${usageQuery.indexed.p99Ms.toFixed(2)} ms beside ${usageQuery.otherCells} cells (slowest Redis command ${usageQuery.indexed.slowestCommandUs} µs); without the index p99 ${usageQuery.unindexed.p99Ms.toFixed(2)} ms`,
    );
    log('4/4 memory');
    const memory = { apiPeakRssMb: mb(api.peakRssKb()), workerPeakRssMb: mb(worker.peakRssKb()) };
    await api.stop();
    await worker.stop();
    const cluster = opts.cluster ? await benchCluster(opts.launcher, opts.scale, log) : undefined;
    if (cluster)
      log(
        `5/5 Redis Cluster: ingest ${cluster.ingestRatio.toFixed(3)} and end to end ${cluster.endToEndRatio.toFixed(3)} of the single Redis`,
      );
    const partial = {
      scale: opts.scale.name,
      date: new Date().toISOString(),
      launcher: opts.launcher.kind,
      machine: machine(postgres, redis, { start: speedBefore, end: coreSpeed() }),
      ingest,
      endToEnd,
      usage,
      usageMemory,
      usageQuery,
      access,
      memory,
      ...(cluster ? { cluster } : {}),
    };
    return { ...partial, goals: goals(partial) };
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await env.cleanup();
  }
}
