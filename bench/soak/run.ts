/**
 * `npm run soak`: N minutes of steady webhooks and usage through a real api process and worker
 * process (chaos/stack.ts), against a private redis-server (so `used_memory` is this run's alone)
 * and a fresh PostgreSQL database. Samples memory, tables and queues every few seconds, then checks
 * the mirror and the usage totals against the stand-in's truth.
 *
 * Retention is shortened so the steady state arrives inside the run: completed jobs are kept
 * `window` seconds (COMPLETED_JOB_RETENTION_SECONDS) and events are dated 45 days − `window` ago,
 * so the real 45-day PROCESSED_EVENTS_RETENTION_DAYS prunes each row `window` seconds after it was
 * sent (PROCESSED_EVENTS_PRUNE_INTERVAL_MS a third of that). window = 5 % of the run, 5–60 s.
 */
import type { Redis } from 'ioredis';
import type Stripe from 'stripe';
import { compareAccess, compareMirror } from '../../chaos/verify';
import { Deliverer } from '../../chaos/delivery';
import type { Entry } from '../../chaos/infra/processes';
import { PrivateRedis } from '../../chaos/infra/private-redis';
import { sleep, waitFor } from '../../src/lib/wait';
import { CHAOS_API_KEY, CHAOS_WEBHOOK_SECRET, Stack } from '../../chaos/stack';
import { usageSettled } from '../../chaos/verify';
import { seededRandom } from '../../stand-in/util';
import { judgeSeries, minuteRow, SeriesVerdict, WARMUP_FRACTION } from './report';
import { bytesPerCompletedJob, redisUsedMemoryMb, Sample, takeSample } from './sample';
import { usageLoad } from './usage-load';
import { SteadyWorkload } from './workload';

export interface SoakOptions {
  minutes: number;
  eventsPerSecond: number;
  /** Usage events per second, POSTed to /v1/usage once a second. */
  usagePerSecond: number;
  customers: number;
  sampleSeconds: number;
  /** RSS drift always allowed over the steady part of the run (MB): the smallest leak the run can see. */
  rssFloorMb: number;
  /** Share of events Stripe delivers twice, the copy `window`–2×`window` seconds later. */
  duplicateRate: number;
  entry: Entry;
  logDir: string;
  postgresAdminUrl: string;
  log: (line: string) => void;
}

export interface SoakReport {
  options: Omit<SoakOptions, 'entry' | 'log' | 'postgresAdminUrl'>;
  windowSeconds: number;
  warmupSeconds: number;
  runSeconds: number;
  /** Redis used_memory once the processes were up, before any load. */
  redisBaselineMb: number;
  /** Average bytes per completed Stripe event job (MEMORY USAGE), measured at the end. */
  bytesPerCompletedJob: number;
  samples: Sample[];
  verdicts: SeriesVerdict[];
  checks: {
    eventsSent: number;
    duplicatesSent: number;
    deliveryStatuses: Record<string, number>;
    undelivered: number;
    usageStatuses: Record<string, number>;
    mirrorChecked: number;
    mirrorWrong: number;
    mirrorExamples: string[];
    accessChecked: number;
    accessWrong: number;
    usageUnitsCounted: number;
    usageUnitsAtStripe: number;
    usagePairsWrong: string[];
    failedJobs: number;
    processesCrashed: string[];
  };
  pass: boolean;
}

const RETENTION_DAYS = 45;

export const soakWindowSeconds = (runSeconds: number): number =>
  Math.round(Math.min(60, Math.max(5, runSeconds * 0.05)));

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const runSeconds = o.minutes * 60;
  const window = soakWindowSeconds(runSeconds);
  const redis = await PrivateRedis.start();
  let stack: Stack | undefined;
  try {
    stack = await Stack.start({
      name: 'soak',
      entry: o.entry,
      servers: { postgresAdminUrl: o.postgresAdminUrl, redisUrl: redis.url, redis },
      logDir: o.logDir,
      workers: 1,
      env: {
        LOG_LEVEL: 'info',
        REPLAY_INTERVAL_MS: '0',
        COMPLETED_JOB_RETENTION_SECONDS: String(window),
        PROCESSED_EVENTS_RETENTION_DAYS: String(RETENTION_DAYS),
        PROCESSED_EVENTS_PRUNE_INTERVAL_MS: String(Math.max(1000, Math.round((window * 1000) / 3))),
        USAGE_FLUSH_INTERVAL_MS: String(Math.max(1000, Math.min(10_000, window * 500))),
        STRIPE_METER_RATE_LIMIT_PER_SECOND: '100',
      },
    });
    return await soak(o, stack, runSeconds, window);
  } finally {
    await stack?.stop().catch((error: Error) => o.log(`soak cleanup: ${error.message}`));
    await redis.destroy();
  }
}

async function soak(o: SoakOptions, stack: Stack, runSeconds: number, window: number): Promise<SoakReport> {
  const start = Math.floor(Date.now() / 1000);
  const workload = new SteadyWorkload({
    customers: o.customers,
    eventsPerSecond: o.eventsPerSecond,
    ageSeconds: RETENTION_DAYS * 86_400 - window,
    start,
  });
  const deliverer = new Deliverer(stack.apiUrl, CHAOS_WEBHOOK_SECRET, { sockets: 16 });
  const rng = seededRandom(7);
  const deadline = () => Date.now() + 120_000;
  const send = (e: Stripe.Event) => deliverer.untilAccepted(e, deadline());
  for (const e of workload.catalogue()) await send(e);
  // The soak runs on one private redis-server, never a cluster: its INFO is the whole Redis.
  const redis = stack.redis as Redis;
  const redisBaselineMb = await redisUsedMemoryMb(redis);
  const t0 = Date.now();
  const end = t0 + runSeconds * 1000;
  const samples: Sample[] = [];
  const queue = stack.queue();
  const sampleNow = async () => {
    const s = await takeSample((Date.now() - t0) / 1000, {
      pids: { api: stack.api.pid, worker0: stack.workers[0].pid },
      redis,
      db: stack.db,
      queue,
    });
    samples.push(s);
    return s;
  };
  let minute = 0;
  const sampler = (async () => {
    for (let i = 1; t0 + i * o.sampleSeconds * 1000 <= end; i++) {
      await sleep(t0 + i * o.sampleSeconds * 1000 - Date.now());
      const s = await sampleNow();
      if (Math.floor(s.t / 60) > minute) {
        minute = Math.floor(s.t / 60);
        o.log(minuteRow(s));
      }
    }
  })();
  const inflight: Array<Promise<unknown>> = [];
  let eventsSent = 0;
  let duplicatesSent = 0;
  const events = (async () => {
    for (let i = 0; ; i++) {
      const due = t0 + (i * 1000) / o.eventsPerSecond;
      if (due >= end) break;
      await sleep(due - Date.now());
      const e = workload.next();
      // What a same-second refetch reads (a late duplicate of an object's newest event ties with it).
      stack.standIn.put(e.data.object as unknown as { id: string; object: string });
      inflight.push(send(e));
      eventsSent++;
      if (rng() < o.duplicateRate) {
        duplicatesSent++;
        inflight.push(sleep(window * 1000 * (1 + rng())).then(() => send(e)));
      }
    }
  })();
  const usageRun = usageLoad(stack, workload.customers, o.usagePerSecond, end, rng);
  await Promise.all([events, sampler]);
  const usage = await usageRun;
  const counted = usage.counted;
  const delivered = await Promise.all(inflight);
  deliverer.close();
  // Jobs are trimmed only when another completes, so the last ones are still there to weigh.
  const jobBytes = await bytesPerCompletedJob(redis, queue);
  o.log('load done; waiting for the queue and the usage counters to drain');
  await stack.settle(180_000);
  const countedUnits = [...counted.values()].reduce((a, b) => a + b, 0);
  const atStripe = () => [...stack.standIn.meterTotals().values()].reduce((a, b) => a + b, 0);
  await waitFor(
    async () => (await usageSettled(stack.redis, stack.prefix)) && atStripe() >= countedUnits,
    180_000,
    'usage to drain',
    250,
  );
  const truth = workload.truth();
  const mirror = await compareMirror(stack.db, truth);
  const access = await compareAccess(stack.apiUrl, CHAOS_API_KEY, truth, workload.customers);
  const totals = stack.standIn.meterTotals();
  const usagePairsWrong = [...new Set([...counted.keys(), ...totals.keys()])]
    .filter((k) => (totals.get(k) ?? 0) !== (counted.get(k) ?? 0))
    .map((k) => `${k}: Stripe ${totals.get(k) ?? 0}, counted ${counted.get(k) ?? 0}`);
  const failedJobs = (await stack.jobCounts()).failed;
  const processesCrashed = stack.processes.filter((p) => p.crashed).map((p) => p.name);
  const verdicts = judgeSeries(samples, runSeconds, o.eventsPerSecond, o.rssFloorMb);
  const checks = {
    eventsSent,
    duplicatesSent,
    deliveryStatuses: deliverer.statusCounts(),
    undelivered: delivered.filter((ok) => ok === false).length,
    usageStatuses: usage.statuses,
    mirrorChecked: mirror.checked,
    mirrorWrong: mirror.wrong,
    mirrorExamples: mirror.examples,
    accessChecked: access.checked,
    accessWrong: access.wrong,
    usageUnitsCounted: countedUnits,
    usageUnitsAtStripe: atStripe(),
    usagePairsWrong: usagePairsWrong.slice(0, 10),
    failedJobs,
    processesCrashed,
  };
  const exact =
    checks.undelivered === 0 &&
    checks.mirrorWrong === 0 &&
    access.wrong === 0 &&
    usagePairsWrong.length === 0 &&
    failedJobs === 0 &&
    processesCrashed.length === 0;
  const options = {
    minutes: o.minutes,
    eventsPerSecond: o.eventsPerSecond,
    usagePerSecond: o.usagePerSecond,
    customers: o.customers,
    sampleSeconds: o.sampleSeconds,
    rssFloorMb: o.rssFloorMb,
    duplicateRate: o.duplicateRate,
    logDir: o.logDir,
  };
  return {
    options,
    windowSeconds: window,
    warmupSeconds: runSeconds * WARMUP_FRACTION,
    runSeconds,
    redisBaselineMb,
    bytesPerCompletedJob: jobBytes,
    samples,
    verdicts,
    checks,
    pass: exact && verdicts.every((v) => !v.judged || v.flat),
  };
}
