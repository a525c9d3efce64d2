/**
 * 5. PostgreSQL outage: PostgreSQL crashes (immediate stop) while workers apply events and comes
 * back after the outage → the webhook kept accepting, every job retried and applied, none failed.
 */
import { Deliverer, paced } from '../delivery';
import { sleep, waitFor } from '../../src/lib/wait';
import { publishTruth, Scenario, verifyEvents } from '../scenario';
import { CHAOS_WEBHOOK_SECRET, Stack } from '../stack';
import { generateWorld } from '../world';

export const postgresOutage: Scenario = {
  id: 5,
  name: 'PostgreSQL outage',
  needs: 'postgres',
  async run(ctx) {
    const postgres = ctx.servers.postgres;
    if (!postgres) throw new Error('scenario 5 needs a private PostgreSQL it may stop');
    const { events: n, outageMs } = ctx.scale.postgresOutage;
    const world = generateWorld({
      events: n,
      seed: ctx.seed + 50,
      step: 2,
      start: Math.floor(Date.now() / 1000) - 3600,
    });
    const stack = await Stack.start({ name: 's5', entry: ctx.entry, servers: ctx.servers, logDir: ctx.logDir });
    try {
      publishTruth(stack, world);
      const deliverer = new Deliverer(stack.apiUrl, CHAOS_WEBHOOK_SECRET);
      const windowMs = outageMs * 2;
      const outage = { from: 0, to: 0, activeAtStop: 0 };
      ctx.log(
        `POSTing ${n} events over ~${windowMs / 1000} s; PostgreSQL down for ${outageMs / 1000} s while jobs apply`,
      );
      const fault = (async () => {
        await waitFor(async () => (await stack.jobCounts()).completed > 0, 60_000, 'the first applied job');
        await sleep(windowMs / 5);
        // Stop it under a transaction: batched workers finish jobs quickly, so wait (≤ 5 s) for one.
        const busyBy = Date.now() + 5_000;
        while ((outage.activeAtStop = (await stack.jobCounts()).active) === 0 && Date.now() < busyBy) await sleep(5);
        outage.from = Date.now();
        await postgres.stop('immediate');
        ctx.log(`PostgreSQL stopped (${outage.activeAtStop} jobs active)`);
        await sleep(outageMs);
        await postgres.start();
        outage.to = Date.now();
        ctx.log('PostgreSQL started again');
      })();
      const deadline = Date.now() + 10 * 60_000;
      await Promise.all([
        paced(world.events, (n * 1000) / windowMs, 24, (e) => deliverer.untilAccepted(e, deadline)),
        fault,
      ]);
      deliverer.close();
      const duringOutage = deliverer.attempts.filter((a) => a.at >= outage.from && a.at < outage.to);
      ctx.log('waiting for the retries (capped exponential backoff) to apply everything');
      await stack.settle(10 * 60_000);
      const verdict = await verifyEvents(stack, world);
      const failed = (await stack.jobCounts()).failed;
      return {
        load: `${n} events POSTed over ${windowMs / 1000} s`,
        faults: `PostgreSQL stopped ${outageMs / 1000} s (immediate, ${outage.activeAtStop} jobs active)`,
        lost: verdict.lost,
        doubled: verdict.doubled,
        wrong: verdict.wrong,
        details: {
          ...verdict.details,
          failedForGood: failed,
          webhookAnswersDuringOutage: duringOutage.length,
          webhookNon2xxDuringOutage: duringOutage.filter((a) => a.status !== 200).length,
          deliveries: deliverer.statusCounts(),
        },
      };
    } finally {
      await postgres.start().catch(() => undefined);
      await stack.stop();
    }
  },
};
