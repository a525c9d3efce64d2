/**
 * A product asking the access API on its own requests while a scenario runs, so the api
 * processes' caches hold answers when faults strike (the end-of-scenario access check then
 * catches any answer a lost invalidation left stale). Counts answers by status.
 */
import { Agent } from 'node:http';
import { post } from './delivery';
import { sleep } from '../src/lib/wait';

export interface ProductTraffic {
  /** Stops asking; resolves to the answers seen by HTTP status. */
  stop(): Promise<Record<string, number>>;
}

export function askAccessMeanwhile(
  apiUrl: string,
  apiKey: string,
  customers: readonly string[],
  rng: () => number,
  perSecond = 200,
): ProductTraffic {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const statuses: Record<string, number> = {};
  let stopped = false;
  const asker = async () => {
    while (!stopped) {
      const customer = customers[Math.floor(rng() * customers.length)];
      const res = await post(
        agent,
        `${apiUrl}/v1/customers/${customer}/access`,
        '',
        { authorization: `Bearer ${apiKey}` },
        5000,
        'GET',
      ).catch(() => ({ status: 0 }));
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      await sleep(4000 / perSecond);
    }
  };
  const running = Promise.all([asker(), asker(), asker(), asker()]);
  return {
    async stop() {
      stopped = true;
      await running;
      agent.destroy();
      return statuses;
    },
  };
}
