/**
 * 6. Usage under fire: increments over many (customer, meter) pairs — most with the documented
 * one-command HINCRBY on the customer's shard, some through POST /v1/usage with event ids, each
 * such request retried 1–3 times as a client unsure of its answer would — while drains run every
 * 2 s, the worker processes (where drains run) are SIGKILLed mid-drain, and the stand-in fails 10 %
 * of its requests with 500 or 429 → Stripe's total equals the counted total for every pair, and the
 * answers' `duplicates` equal the repeated events.
 */
import { keepAliveAgent, post } from '../delivery';
import { sleep, waitFor } from '../../src/lib/wait';
import { Scenario } from '../scenario';
import { usagePairs } from '../usage-pairs';
import { CHAOS_API_KEY, Stack } from '../stack';
import { usageSettled } from '../verify';
import { seededRandom } from '../../stand-in/util';
import { customerKeys, usageKeys, windowStart } from '../../src/usage';
import { DRAIN_NAMESPACES } from '../../src/usage/keys';

/** Every 10th chunk goes through POST /v1/usage, the rest straight to Redis. */
const HTTP_EVERY = 10;

export const usageUnderFire: Scenario = {
  id: 6,
  name: 'Usage under fire',
  async run(ctx) {
    const { increments, pairs, kills, faultRate } = ctx.scale.usage;
    const rng = seededRandom(ctx.seed + 6);
    const pairList = usagePairs(`chaos${ctx.seed}`, pairs);
    const stack = await Stack.start({
      name: 's6',
      entry: ctx.entry,
      servers: ctx.servers,
      logDir: ctx.logDir,
      env: {
        USAGE_FLUSH_INTERVAL_MS: '2000',
        STRIPE_METER_RATE_LIMIT_PER_SECOND: '100',
        USAGE_THRESHOLD_CHECK_MS: '1000',
      },
    });
    try {
      stack.standIn.setFaults({ rate: faultRate, statuses: [500, 429], seed: ctx.seed });
      const shards = DRAIN_NAMESPACES.map((ns) => usageKeys(stack.prefix, ns));
      const openClaims = async () =>
        (await Promise.all(shards.map((k) => stack.redis.zcard(k.claims)))).reduce((a, b) => a + b, 0);
      const retries = { requests: 0, sends: 0, wrongAnswers: 0 };
      const counted = new Map<string, number>();
      const count = (p: { customer: string; meter: string }, v: number) =>
        counted.set(`${p.customer}|${p.meter}`, (counted.get(`${p.customer}|${p.meter}`) ?? 0) + v);
      const agent = keepAliveAgent(4);
      const chunk = Math.max(500, Math.ceil(increments / 200));
      const chunks = Math.ceil(increments / chunk);
      const windowMs = 20_000 + kills * 8000;
      const httpStatuses: Record<string, number> = {};
      const drainsKilled: number[] = [];
      ctx.log(
        `${increments} increments over ${pairs} pairs in ~${windowMs / 1000} s, ${kills} mid-drain SIGKILLs, ${faultRate * 100} % Stripe faults`,
      );
      const load = (async () => {
        for (let c = 0; c < chunks; c++) {
          const n = Math.min(chunk, increments - c * chunk);
          const batch = Array.from({ length: n }, () => ({
            ...pairList[Math.floor(rng() * pairs)],
            value: 1 + Math.floor(rng() * 5),
          }));
          const viaHttp = c % HTTP_EVERY === 3;
          if (viaHttp) {
            for (let i = 0; i < batch.length; i += 1000) {
              const events = batch.slice(i, i + 1000).map((e, j) => ({ ...e, id: `s${ctx.seed}-c${c}-e${i + j}` }));
              const body = JSON.stringify({ events });
              // A client unsure of its answer sends the same request again: 1 to 3 times in all, and
              // until one answer is 202 (an attempt without an answer may or may not have counted).
              const sends = 1 + Math.floor(rng() * 3);
              let accepted = false;
              let unsure = false;
              let counted = 0;
              for (let k = 0; k < 20 && (k < sends || !accepted); k++) {
                const res = await post(
                  agent,
                  `${stack.apiUrl}/v1/usage`,
                  body,
                  { authorization: `Bearer ${CHAOS_API_KEY}`, 'content-type': 'application/json' },
                  30_000,
                );
                httpStatuses[res.status] = (httpStatuses[res.status] ?? 0) + 1;
                if (res.status !== 202) {
                  unsure ||= res.status === 0 || res.status >= 500;
                  continue;
                }
                const answer = JSON.parse(res.text) as { accepted: number; duplicates: number };
                counted += answer.accepted - answer.duplicates;
                retries.sends++;
                accepted = true;
              }
              retries.requests++;
              // The answers' duplicates add up: every event counted once over all answers.
              if (counted > events.length || (!unsure && accepted && counted !== events.length)) retries.wrongAnswers++;
              if (accepted) for (const e of events) count(e, e.value);
            }
          } else {
            // The documented one-command increment any language can do.
            const pipeline = stack.redis.pipeline();
            const w = windowStart(Math.floor(Date.now() / 1000), 3600);
            for (const e of batch)
              pipeline.hincrby(
                customerKeys(stack.prefix, e.customer).pending,
                `${e.customer}|${e.meter}|${w}`,
                e.value,
              );
            await pipeline.exec();
            for (const e of batch) count(e, e.value);
          }
          await sleep(windowMs / chunks);
        }
      })();
      const streamCalls = () =>
        stack.standIn.countRequests({ method: 'POST', pathPrefix: '/v2/billing/meter_event_stream' });
      const sendingToStripe = async () => {
        const before = streamCalls();
        await sleep(150);
        return streamCalls() > before;
      };
      const killer = (async () => {
        for (let k = 0; k < kills; k++) {
          await sleep(4000 + rng() * 3000);
          // Wait for a drain in flight (an open claim and meter batches reaching Stripe right now),
          // then kill every worker: the drainer among them.
          await waitFor(
            async () => (await openClaims()) > 0 && (await sendingToStripe()),
            120_000,
            'a drain in flight',
            20,
          );
          drainsKilled.push(await openClaims());
          ctx.log(`SIGKILL both workers during a drain (${drainsKilled[k]} open claims)`);
          for (let i = 0; i < stack.workers.length; i++) await stack.workers[i].kill('SIGKILL');
          for (let i = 0; i < stack.workers.length; i++) stack.workers[i] = await stack.spawn(`worker${i}`);
        }
      })();
      await Promise.all([load, killer]);
      agent.destroy();
      ctx.log('waiting until every counter is drained and every claim released');
      await waitFor(() => usageSettled(stack.redis, stack.prefix), 15 * 60_000, 'usage to drain', 500);
      const totals = stack.standIn.meterTotals();
      let lost = 0;
      let doubled = 0;
      const wrongPairs: string[] = [];
      for (const key of new Set([...counted.keys(), ...totals.keys()])) {
        const diff = (totals.get(key) ?? 0) - (counted.get(key) ?? 0);
        if (diff < 0) lost -= diff;
        if (diff > 0) doubled += diff;
        if (diff !== 0) wrongPairs.push(`${key}: Stripe ${totals.get(key) ?? 0}, counted ${counted.get(key) ?? 0}`);
      }
      const rejected = stack.standIn.meterEventRejections.length;
      const crashed = stack.processes.filter((p) => p.crashed).map((p) => p.name);
      const units = [...counted.values()].reduce((a, b) => a + b, 0);
      return {
        load: `${increments.toLocaleString('en')} increments (${units.toLocaleString('en')} units) over ${pairs.toLocaleString('en')} pairs`,
        faults: `${kills} × SIGKILL of the workers mid-drain; ${stack.standIn.faultsInjected} Stripe 500/429 (${faultRate * 100} %)`,
        lost,
        doubled,
        wrong: wrongPairs.length + rejected + crashed.length + retries.wrongAnswers,
        details: {
          pairsCounted: counted.size,
          pairsAtStripe: totals.size,
          unitsCounted: units,
          wrongPairs: wrongPairs.slice(0, 10),
          meterEventsAccepted: stack.standIn.meterEvents.length,
          duplicateIdentifiersDropped: stack.standIn.droppedDuplicateMeterEvents,
          meterEventsRejected: rejected,
          openClaimsAtKill: drainsKilled,
          httpStatuses,
          retries,
          ledgerRows: await stack.count('SELECT count(*) FROM usage_reports'),
          processesCrashed: crashed,
        },
      };
    } finally {
      await stack.stop();
    }
  },
};
