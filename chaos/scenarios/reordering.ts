/**
 * 2. Reordering: whole customer lifecycles, shuffled, with same-second ties, and some events held
 * back and delivered days after they happened → mirror and every access answer equal the truth.
 */
import { Deliverer, pool } from '../delivery';
import { countTies, publishTruth, Scenario, verifyEvents } from '../scenario';
import { CHAOS_WEBHOOK_SECRET, Stack } from '../stack';
import { seededRandom } from '../../stand-in/util';
import { shuffle } from '../../stand-in/util';
import { generateWorld } from '../world';

const HOUR = 3600;

export const reordering: Scenario = {
  id: 2,
  name: 'Reordering',
  async run(ctx) {
    const { customers, lateFraction } = ctx.scale.reordering;
    const now = Math.floor(Date.now() / 1000);
    // Lifecycles spread over days (a step is 4 h), so a held-back event is days old when it arrives.
    const world = generateWorld({ customers, seed: ctx.seed + 2, step: 4 * HOUR, start: now - 6 * 24 * HOUR });
    const rng = seededRandom(ctx.seed + 20);
    const order = shuffle([...world.events], rng);
    const lateCount = Math.round(order.length * lateFraction);
    const late = order.splice(0, lateCount);
    const oldest = Math.min(...late.map((e) => e.created));
    const stack = await Stack.start({ name: 's2', entry: ctx.entry, servers: ctx.servers, logDir: ctx.logDir });
    try {
      publishTruth(stack, world);
      const deliverer = new Deliverer(stack.apiUrl, CHAOS_WEBHOOK_SECRET);
      const deadline = Date.now() + 10 * 60_000;
      ctx.log(`delivering ${order.length} shuffled events, then ${late.length} late ones`);
      await pool(order, 32, (e) => deliverer.untilAccepted(e, deadline));
      await stack.settle(5 * 60_000);
      await pool(late, 32, (e) => deliverer.untilAccepted(e, deadline));
      deliverer.close();
      await stack.settle(5 * 60_000);
      const verdict = await verifyEvents(stack, world);
      return {
        load: `${customers} customer lifecycles, ${world.events.length} events`,
        faults: `shuffled; ${countTies(world)} same-second events; ${late.length} delivered late (up to ${Math.round((now - oldest) / 86400)} days old)`,
        ...verdict,
        details: { ...verdict.details, deliveries: deliverer.statusCounts() },
      };
    } finally {
      await stack.stop();
    }
  },
};
