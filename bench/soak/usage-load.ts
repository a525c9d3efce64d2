/** The soak's usage traffic: batches of usage events POSTed to /v1/usage every second. */
import { Agent } from 'node:http';
import { post } from '../../chaos/delivery';
import { CHAOS_API_KEY, Stack } from '../../chaos/stack';
import { sleep } from '../../src/lib/wait';

export const METERS = ['api_calls', 'storage_gb'];

/** Once a second until `end`, POSTs `perSecond` usage events to /v1/usage; returns the units accepted per pair. */
export async function usageLoad(
  stack: Stack,
  customers: string[],
  perSecond: number,
  end: number,
  rng: () => number,
): Promise<{ counted: Map<string, number>; statuses: Record<string, number> }> {
  const counted = new Map<string, number>();
  const statuses: Record<string, number> = {};
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const headers = { authorization: `Bearer ${CHAOS_API_KEY}`, 'content-type': 'application/json' };
  for (let tick = Date.now(); tick < end && perSecond > 0; tick += 1000) {
    await sleep(tick - Date.now());
    for (let sent = 0; sent < perSecond; sent += 1000) {
      const batch = Array.from({ length: Math.min(1000, perSecond - sent) }, () => ({
        customer: customers[Math.floor(rng() * customers.length)],
        meter: METERS[Math.floor(rng() * METERS.length)],
        value: 1 + Math.floor(rng() * 5),
      }));
      const res = await post(agent, `${stack.apiUrl}/v1/usage`, JSON.stringify({ events: batch }), headers, 15_000);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status !== 202) continue; // nothing is recorded from a rejected request
      for (const e of batch)
        counted.set(`${e.customer}|${e.meter}`, (counted.get(`${e.customer}|${e.meter}`) ?? 0) + e.value);
    }
  }
  agent.destroy();
  return { counted, statuses };
}
