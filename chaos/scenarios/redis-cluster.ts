/**
 * 8. Redis Cluster: a private three-master cluster (AOF on), 6 Stripe event partitions, two api
 * processes and three workers.
 *   A. whole lifecycles, shuffled, each event delivered twice (once to each api), one worker
 *      SIGKILLed mid-way (not restarted); usage POSTed through both apis at the same time
 *   B. more lifecycles while one master is shut down (SHUTDOWN NOSAVE) and started again from its
 *      nodes file, with probes on that master's partitions (cluster-outage.ts): every probe gets a
 *      fast 503 while it is gone and is accepted after, every non-2xx is redelivered
 * → every event applied once (each probe exactly once), mirror and access = truth, Stripe's usage
 * totals and the ledger = what the apis accepted, and every master holds a share of the keys.
 */
import type { Pool } from 'pg';
import { Deliverer, keepAliveAgent, paced, pool, post } from '../delivery';
import { sleep, waitFor } from '../../src/lib/wait';
import { publishTruth, Scenario, verifyEvents } from '../scenario';
import { CHAOS_API_KEY, CHAOS_WEBHOOK_SECRET, Stack } from '../stack';
import { usageSettled } from '../verify';
import { seededRandom, shuffle } from '../../stand-in/util';
import { RedisCluster } from '../../test/support/redis-cluster';
import { USAGE_METERS } from '../usage-pairs';
import { generateWorld, World } from '../world';
import { masterOutage, probesNotAppliedOnce } from './cluster-outage';

export const CLUSTER_PARTITIONS = 6;

/** Worlds as one: their customers and objects are distinct. */
const merge = (...worlds: World[]): World => ({
  events: worlds.flatMap((w) => w.events),
  customers: worlds.flatMap((w) => w.customers),
  truth: new Map(worlds.flatMap((w) => [...w.truth])),
});

/** POSTs `count` usage events in bodies of 100, alternating between the apis; returns what was accepted (202) per pair. */
async function postUsage(
  stack: Stack,
  count: number,
  rng: () => number,
  statuses: Record<string, number>,
): Promise<Map<string, number>> {
  const agent = keepAliveAgent(8);
  const accepted = new Map<string, number>();
  const bodies = Math.ceil(count / 100);
  await pool(
    Array.from({ length: bodies }, (_, i) => i),
    4,
    async (i) => {
      const events = Array.from({ length: Math.min(100, count - i * 100) }, () => ({
        customer: `cus_cluster${Math.floor(rng() * 40)}`,
        meter: USAGE_METERS[Math.floor(rng() * USAGE_METERS.length)],
        value: 1 + Math.floor(rng() * 9),
      }));
      const res = await post(
        agent,
        `${stack.apiUrls[i % stack.apiUrls.length]}/v1/usage`,
        JSON.stringify({ events }),
        { authorization: `Bearer ${CHAOS_API_KEY}`, 'content-type': 'application/json' },
        30_000,
      );
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 202)
        for (const e of events)
          accepted.set(`${e.customer}|${e.meter}`, (accepted.get(`${e.customer}|${e.meter}`) ?? 0) + e.value);
      await sleep(20);
    },
  );
  agent.destroy();
  return accepted;
}

/** Pairs whose total differs from `expected`, as "pair: got, expected". */
function differences(got: Map<string, number>, expected: Map<string, number>): string[] {
  return [...new Set([...got.keys(), ...expected.keys()])]
    .filter((k) => (got.get(k) ?? 0) !== (expected.get(k) ?? 0))
    .map((k) => `${k}: ${got.get(k) ?? 0}, expected ${expected.get(k) ?? 0}`);
}

async function ledgerTotals(db: Pool): Promise<Map<string, number>> {
  const { rows } = await db.query(
    "SELECT stripe_customer_id || '|' || meter AS pair, sum(value)::bigint AS total FROM usage_reports GROUP BY 1",
  );
  return new Map(rows.map((r: { pair: string; total: string }) => [r.pair, Number(r.total)]));
}

export const redisCluster: Scenario = {
  id: 8,
  name: 'Redis Cluster',
  async run(ctx) {
    const { events: n, usageEvents, outageMs } = ctx.scale.cluster;
    const rng = seededRandom(ctx.seed + 8);
    const start = Math.floor(Date.now() / 1000) - 3600;
    const before = generateWorld({ events: Math.ceil(n / 2), seed: ctx.seed + 80, step: 2, start });
    const during = generateWorld({ events: Math.floor(n / 2), seed: ctx.seed + 81, step: 2, start });
    const cluster = await RedisCluster.start({ appendonly: true });
    let stack: Stack | undefined;
    try {
      stack = await Stack.start({
        name: 's8',
        entry: ctx.entry,
        servers: { ...ctx.servers, cluster },
        logDir: ctx.logDir,
        apis: 2,
        workers: 3,
        env: {
          EVENT_QUEUE_PARTITIONS: String(CLUSTER_PARTITIONS),
          USAGE_FLUSH_INTERVAL_MS: '2000',
          USAGE_THRESHOLD_CHECK_MS: '1000',
          STRIPE_METER_RATE_LIMIT_PER_SECOND: '100',
        },
      });
      const s = stack;
      publishTruth(s, merge(before, during));
      const deliverers = s.apiUrls.map((url) => new Deliverer(url, CHAOS_WEBHOOK_SECRET, { timeoutMs: 30_000 }));
      const deadline = Date.now() + 10 * 60_000;

      // A: shuffled lifecycles, each event to both apis, a worker killed mid-way, usage alongside.
      const order = shuffle([...before.events], rng);
      const windowMs = Math.max(3000, order.length * 15);
      ctx.log(
        `A: ${order.length} shuffled events × 2 apis over ~${windowMs / 1000} s, ${usageEvents} usage events, SIGKILL of worker0 mid-way`,
      );
      const usageStatuses: Record<string, number> = {};
      let activeAtKill = 0;
      const [, usage] = await Promise.all([
        paced(order, (order.length * 1000) / windowMs, 24, (e) =>
          Promise.all(deliverers.map((d) => d.untilAccepted(e, deadline))),
        ),
        postUsage(s, usageEvents, rng, usageStatuses),
        sleep(windowMs / 2).then(async () => {
          activeAtKill = (await s.jobCounts()).active;
          ctx.log(`SIGKILL ${s.workers[0].name} (${activeAtKill} jobs active)`);
          await s.crashWorker(0, false);
        }),
      ]);
      const keysPerMaster = await cluster.keysPerMaster();

      // B: one master away and back while more lifecycles arrive, probes on its partitions; redeliver every non-2xx.
      const victim = 1;
      ctx.log(`B: ${during.events.length} events; master ${victim} shut down for ${outageMs / 1000} s in the middle`);
      const outage = await masterOutage({
        stack: s,
        cluster,
        victim,
        outageMs,
        events: during.events,
        deliverers,
        start,
        log: ctx.log,
      });
      const stored = await s.storedJobs([...outage.accepted]);
      const ackedNotStored = [...outage.accepted].filter((id) => !stored.has(id));
      const redelivered = during.events.filter((e) => !outage.accepted.has(e.id));
      await pool(redelivered, 24, (e) => deliverers[0].untilAccepted(e, deadline));
      for (const d of deliverers) d.close();

      ctx.log('waiting for every event and all usage to be applied and drained');
      await s.settle(5 * 60_000);
      ctx.log('every event applied; waiting for usage');
      await waitFor(() => usageSettled(s.redis, s.prefix).catch(() => false), 5 * 60_000, 'usage to drain', 250);
      const verdict = await verifyEvents(s, merge(before, during, outage.probes));
      const probesWrong = probesNotAppliedOnce(s, outage.probes);
      const stripeWrong = differences(s.standIn.meterTotals(), usage);
      const ledgerWrong = differences(await ledgerTotals(s.db), usage);
      const mastersWithoutKeys = keysPerMaster.filter((k) => k === 0).length;
      return {
        load: `${n} events (each twice) through 2 apis, 3 workers, ${CLUSTER_PARTITIONS} partitions; ${usageEvents} usage events`,
        faults: `1 × SIGKILL of a worker (${activeAtKill} jobs active); master shut down ${outageMs / 1000} s (${outage.unavailable} × 503, ${outage.probes.events.length} probes on its partitions, ${redelivered.length} redelivered)`,
        lost: verdict.lost + ackedNotStored.length,
        doubled: verdict.doubled,
        wrong:
          verdict.wrong +
          stripeWrong.length +
          ledgerWrong.length +
          mastersWithoutKeys +
          outage.wrong +
          probesWrong.length,
        details: {
          ...verdict.details,
          keysPerMaster,
          ...outage.details,
          unavailableDuringOutage: outage.unavailable,
          probesNotAppliedOnce: probesWrong,
          acknowledgedButNotInRedis: ackedNotStored.slice(0, 10),
          redelivered: redelivered.length,
          usageStatuses,
          usagePairs: usage.size,
          usageUnits: [...usage.values()].reduce((a, b) => a + b, 0),
          stripeUsageWrong: stripeWrong.slice(0, 10),
          ledgerWrong: ledgerWrong.slice(0, 10),
          deliveries: Object.fromEntries(deliverers.map((d, i) => [`api${i}`, d.statusCounts()])),
        },
      };
    } finally {
      await stack?.stop();
      await cluster.destroy();
    }
  },
};
