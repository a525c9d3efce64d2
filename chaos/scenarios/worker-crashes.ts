/**
 * 3. Worker crashes: worker processes SIGKILLed at random while they apply events, and started
 * again → every event applied, none twice (BullMQ re-runs the stalled jobs; processed_events
 * guards their effects), and every customer's newest access-change notification says its final
 * access (the outbox and the sweep cover a crash between commit and enqueue). A product asks the
 * access API throughout, so the apis' caches hold answers when the kills land: a change whose
 * invalidation a kill lost would show as a wrong answer at the end.
 */
import { Deliverer, paced } from '../delivery';
import { sleep } from '../../src/lib/wait';
import { publishTruth, Scenario, verifyEvents } from '../scenario';
import { CHAOS_API_KEY, CHAOS_WEBHOOK_SECRET, Stack } from '../stack';
import { askAccessMeanwhile } from '../product-traffic';
import { seededRandom } from '../../stand-in/util';
import { Receiver } from '../../test/support/receiver';
import { checkNotifications, NOTIFY_SECRET } from '../notifications';
import { generateWorld } from '../world';

export const workerCrashes: Scenario = {
  id: 3,
  name: 'Worker crashes',
  async run(ctx) {
    const { events: n, kills } = ctx.scale.crashes;
    const rng = seededRandom(ctx.seed + 3);
    const world = generateWorld({
      events: n,
      seed: ctx.seed + 30,
      step: 2,
      start: Math.floor(Date.now() / 1000) - 3600,
    });
    const receiver = await Receiver.start();
    const stack = await Stack.start({
      name: 's3',
      entry: ctx.entry,
      servers: ctx.servers,
      logDir: ctx.logDir,
      env: { ACCESS_WEBHOOK_URL: receiver.url, ACCESS_WEBHOOK_SECRET: NOTIFY_SECRET, ACCESS_SWEEP_INTERVAL_MS: '2000' },
    });
    try {
      publishTruth(stack, world);
      const deliverer = new Deliverer(stack.apiUrl, CHAOS_WEBHOOK_SECRET);
      const deadline = Date.now() + 10 * 60_000;
      // Spread the load over the kill schedule, so every kill lands while jobs are being applied.
      const windowMs = Math.max(3000, kills * 3500);
      ctx.log(`delivering ${n} events over ~${windowMs / 1000} s while killing workers ${kills} times`);
      const activeAtKill: number[] = [];
      const killer = (async () => {
        for (let k = 0; k < kills; k++) {
          await sleep(800 + rng() * 1700);
          const victim = Math.floor(rng() * stack.workers.length);
          activeAtKill.push((await stack.jobCounts()).active);
          ctx.log(
            `SIGKILL ${stack.workers[victim].name} (pid ${stack.workers[victim].pid}), ${activeAtKill[k]} jobs active`,
          );
          await stack.crashWorker(victim);
        }
      })();
      const product = askAccessMeanwhile(stack.apiUrl, CHAOS_API_KEY, world.customers, seededRandom(ctx.seed + 33));
      await Promise.all([
        paced(world.events, (n * 1000) / windowMs, 24, (e) => deliverer.untilAccepted(e, deadline)),
        killer,
      ]);
      deliverer.close();
      ctx.log('waiting for the stalled jobs to be re-run (BullMQ lock expiry + stalled check)');
      await stack.settle(5 * 60_000);
      const accessAsked = await product.stop();
      const verdict = await verifyEvents(stack, world);
      const notifications = await checkNotifications(receiver, world);
      return {
        load: `${n} events (${world.customers.length} customers), 2 worker processes, access notifications on, a product asking the access API throughout`,
        faults: `${kills} × SIGKILL of a worker (${activeAtKill.join(', ')} jobs active), restarted`,
        ...verdict,
        wrong: verdict.wrong + notifications.wrong,
        details: { ...verdict.details, activeAtKill, deliveries: deliverer.statusCounts(), notifications, accessAsked },
      };
    } finally {
      await stack.stop();
      await receiver.close();
    }
  },
};
