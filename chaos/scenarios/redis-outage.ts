/**
 * 4. Redis outage: Redis shut down while events are being POSTed. Every 2xx must be backed by a
 * job in Redis; the webhook answers 503 quickly (never hangs) while Redis is away and recovers
 * without a restart; Stripe-style redelivery of every non-2xx then gets everything applied.
 */
import { Deliverer, paced, pool } from '../delivery';
import { sleep } from '../../src/lib/wait';
import { publishTruth, Scenario, verifyEvents } from '../scenario';
import { CHAOS_WEBHOOK_SECRET, Stack } from '../stack';
import { generateWorld } from '../world';

/** An answer slower than this, or no answer at all, breaks "503 within a few seconds". */
const SLOW_MS = 6000;

export const redisOutage: Scenario = {
  id: 4,
  name: 'Redis outage',
  needs: 'redis',
  async run(ctx) {
    const redis = ctx.servers.redis;
    if (!redis) throw new Error('scenario 4 needs a private Redis it may stop');
    const { events: n, outageMs } = ctx.scale.redisOutage;
    const world = generateWorld({
      events: n,
      seed: ctx.seed + 40,
      step: 2,
      start: Math.floor(Date.now() / 1000) - 3600,
    });
    const stack = await Stack.start({ name: 's4', entry: ctx.entry, servers: ctx.servers, logDir: ctx.logDir });
    try {
      publishTruth(stack, world);
      const deliverer = new Deliverer(stack.apiUrl, CHAOS_WEBHOOK_SECRET, { timeoutMs: 30_000 });
      const windowMs = outageMs * 3;
      const outage = { from: 0, to: 0 };
      ctx.log(`POSTing ${n} events over ~${windowMs / 1000} s; Redis down for ${outageMs / 1000} s in the middle`);
      const accepted = new Set<string>();
      const fault = (async () => {
        await sleep(windowMs / 3);
        outage.from = Date.now();
        await redis.stop();
        ctx.log('Redis stopped');
        await sleep(outageMs);
        await redis.start();
        outage.to = Date.now();
        ctx.log('Redis started again');
      })();
      await Promise.all([
        paced(world.events, (n * 1000) / windowMs, 32, async (e) => {
          if ((await deliverer.once(e)) === 200) accepted.add(e.id);
        }),
        fault,
      ]);
      const firstPass = deliverer.statusCounts();
      // "No 2xx for any event not in Redis": every acknowledged event must have its job stored.
      const stored = await stack.storedJobs([...accepted]);
      const ackedNotStored = [...accepted].filter((id) => !stored.has(id));
      const duringOutage = deliverer.attempts.filter((a) => a.at >= outage.from && a.at < outage.to);
      const slow = duringOutage.filter((a) => a.status === 0 || a.ms > SLOW_MS);
      const okDuringOutage = duringOutage.filter((a) => a.status >= 200 && a.status < 300).length;
      const rejected = world.events.filter((e) => !accepted.has(e.id));
      ctx.log(`${accepted.size} accepted, ${rejected.length} to redeliver Stripe-style`);
      const deadline = Date.now() + 5 * 60_000;
      await pool(rejected, 24, (e) => deliverer.untilAccepted(e, deadline));
      deliverer.close();
      await stack.settle(5 * 60_000);
      const verdict = await verifyEvents(stack, world);
      const maxOutageAnswerMs = Math.max(0, ...duringOutage.map((a) => a.ms));
      return {
        load: `${n} events POSTed over ${windowMs / 1000} s`,
        faults: `Redis shut down ${outageMs / 1000} s; ${rejected.length} non-2xx redelivered`,
        lost: verdict.lost + ackedNotStored.length,
        doubled: verdict.doubled,
        // A 2xx while Redis was away, or an answer that hung, breaks the webhook contract.
        wrong: verdict.wrong + slow.length + (okDuringOutage > 0 && ackedNotStored.length ? okDuringOutage : 0),
        details: {
          ...verdict.details,
          firstPassStatuses: firstPass,
          acknowledgedButNotInRedis: ackedNotStored.slice(0, 10),
          answersDuringOutage: duringOutage.length,
          okAnswersDuringOutage: okDuringOutage,
          maxAnswerMsDuringOutage: maxOutageAnswerMs,
          hungOrSlowAnswers: slow.length,
          allStatuses: deliverer.statusCounts(),
        },
      };
    } finally {
      if (!redis.running) await redis.start();
      await stack.stop();
    }
  },
};
