/** 1. Duplicates: every event delivered several times at once → one processed_events row each. */
import { Deliverer, pool } from '../delivery';
import { countTies, publishTruth, Scenario, verifyEvents } from '../scenario';
import { CHAOS_WEBHOOK_SECRET, Stack } from '../stack';
import { generateWorld } from '../world';

export const duplicates: Scenario = {
  id: 1,
  name: 'Duplicates',
  async run(ctx) {
    const { events: n, copies } = ctx.scale.duplicates;
    const world = generateWorld({ events: n, seed: ctx.seed, step: 2, start: Math.floor(Date.now() / 1000) - 3600 });
    const stack = await Stack.start({ name: 's1', entry: ctx.entry, servers: ctx.servers, logDir: ctx.logDir });
    try {
      publishTruth(stack, world);
      const deliverer = new Deliverer(stack.apiUrl, CHAOS_WEBHOOK_SECRET);
      const deadline = Date.now() + 10 * 60_000;
      ctx.log(`delivering ${n} events × ${copies} concurrently`);
      await pool(world.events, 24, (e) =>
        Promise.all(Array.from({ length: copies }, () => deliverer.untilAccepted(e, deadline))),
      );
      deliverer.close();
      await stack.settle(5 * 60_000);
      const verdict = await verifyEvents(stack, world);
      return {
        load: `${n} events × ${copies} concurrent deliveries (${world.customers.length} customers)`,
        faults: `${n * (copies - 1)} duplicate deliveries, ${countTies(world)} same-second events`,
        ...verdict,
        details: { ...verdict.details, deliveries: deliverer.statusCounts() },
      };
    } finally {
      await stack.stop();
    }
  },
};
