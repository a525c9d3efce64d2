/**
 * Scenario 7, second part: odd input that is valid and must be handled exactly (issue 23), after
 * the hostile mix proved nothing of that was recorded.
 *  - Stripe text with a NUL or a lone surrogate: every such event gets 200 and is applied (stored
 *    as U+FFFD), none fails.
 *  - Usage values near 2^53 to one counter, concurrently: only 202 or 400, and the counter holds
 *    exactly the accepted values, never more than 2^53 − 1.
 *  - A receiver that redirects (302 or 307) to another host: the notification is never delivered
 *    there nor counted as delivered, and the worker logs the Location.
 */
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'node:http';
import { customer, event, object, signWebhook, subscription } from '../../stand-in/events';
import { waitFor } from '../../src/lib/wait';
import { post } from '../delivery';
import { CHAOS_API_KEY, CHAOS_WEBHOOK_SECRET, Stack } from '../stack';

const MAX_UNITS = Number.MAX_SAFE_INTEGER;

/** Two local servers: `redirector` answers every POST with a redirect to `elsewhere`, which records what reaches it. */
export class RedirectingReceiver {
  posts = 0;
  readonly elsewhereSeen: string[] = [];
  private constructor(private readonly servers: Server[]) {}

  get url(): string {
    return `http://127.0.0.1:${(this.servers[0].address() as AddressInfo).port}/hook`;
  }
  get elsewhere(): string {
    return `http://127.0.0.1:${(this.servers[1].address() as AddressInfo).port}/stolen`;
  }

  static async start(): Promise<RedirectingReceiver> {
    const servers = [createServer(), createServer()];
    const receiver = new RedirectingReceiver(servers);
    servers[0].on('request', (req, res) => {
      req.resume();
      receiver.posts++;
      res.writeHead(receiver.posts % 2 ? 302 : 307, { location: receiver.elsewhere }).end();
    });
    servers[1].on('request', (req, res) => {
      receiver.elsewhereSeen.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(200).end();
    });
    await Promise.all(servers.map((s) => new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok))));
    return receiver;
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.closeAllConnections();
    await Promise.all(this.servers.map((s) => new Promise((ok) => s.close(ok))));
  }
}

const signed = (agent: Agent, stack: Stack, e: object) => {
  const body = JSON.stringify(e);
  const headers = { 'content-type': 'application/json', 'stripe-signature': signWebhook(body, CHAOS_WEBHOOK_SECRET) };
  return post(agent, `${stack.apiUrl}/webhooks/stripe`, body, headers, 10_000);
};

async function oddText(stack: Stack, agent: Agent, count: number, flag: (what: string) => void) {
  const failedBefore = (await stack.jobCounts()).failed ?? 0;
  const events = Array.from({ length: count }, (_, i) => {
    const id = `cus_chaosNul${i}`;
    return [
      event('customer.created', customer({ id, name: `a\u0000b \ud800 ${i}`, email: `x\u0000${i}@example.com` })),
      event('charge.succeeded', object('charge', { id: `ch_chaosNul${i}`, customer: id, description: 'c\u0000d' })),
    ];
  }).flat();
  for (const e of events) {
    const status = (await signed(agent, stack, e)).status;
    if (status !== 200) flag(`NUL text event → ${status}`);
  }
  await stack.settle(30_000);
  const ids = events.map((e) => e.id);
  const applied = await stack.count('SELECT count(*) FROM processed_events WHERE stripe_event_id = ANY($1)', [ids]);
  const stored = await stack.count("SELECT count(*) FROM customers WHERE name LIKE 'a\uFFFDb \uFFFD %'");
  const failed = ((await stack.jobCounts()).failed ?? 0) - failedBefore;
  if (applied !== ids.length || stored !== count || failed !== 0)
    flag(`NUL text: ${applied} of ${ids.length} events applied, ${stored} of ${count} rows stored, ${failed} failed`);
  return { events: ids.length, applied, stored, failed };
}

async function hugeValues(stack: Stack, agent: Agent, flag: (what: string) => void) {
  const headers = { authorization: `Bearer ${CHAOS_API_KEY}`, 'content-type': 'application/json' };
  const at = Math.floor(Date.now() / 1000) - 10;
  const one = (value: number, id: string) => ({
    customer: 'cus_chaosHuge',
    meter: 'api_calls',
    value,
    timestamp: at,
    id,
  });
  const bodies = [
    ...Array.from({ length: 8 }, (_, i) => ({ events: [one(MAX_UNITS - i, `near-${i}`)] })),
    ...['a', 'b'].map((r) => ({ events: Array.from({ length: 1000 }, (_, i) => one(MAX_UNITS, `${r}-${i}`)) })),
  ];
  const answers = await Promise.all(
    bodies.map((b) => post(agent, `${stack.apiUrl}/v1/usage`, JSON.stringify(b), headers, 10_000)),
  );
  let accepted = 0;
  answers.forEach((a, i) => {
    if (a.status === 202) accepted += bodies[i].events.reduce((n, e) => n + e.value, 0);
    else if (a.status !== 400) flag(`usage near 2^53 → ${a.status}`);
  });
  const usage = await post(agent, `${stack.apiUrl}/v1/customers/cus_chaosHuge/usage`, '', headers, 10_000, 'GET');
  const meter = (JSON.parse(usage.text) as { meters: Record<string, { sent: number; pending: number }> }).meters
    .api_calls ?? { sent: 0, pending: 0 };
  const counted = meter.sent + meter.pending;
  if (counted !== accepted || counted > MAX_UNITS) flag(`usage near 2^53: counted ${counted}, accepted ${accepted}`);
  return { statuses: answers.map((a) => a.status), accepted, counted };
}

async function redirectedNotification(
  stack: Stack,
  agent: Agent,
  receiver: RedirectingReceiver,
  flag: (what: string) => void,
) {
  const sub = subscription({ customer: 'cus_chaosRedirect', status: 'active' });
  if ((await signed(agent, stack, event('customer.subscription.created', sub))).status !== 200)
    flag('redirect: the subscription event was refused');
  await waitFor(async () => receiver.posts >= 2, 30_000, 'two delivery attempts at the redirecting receiver').catch(
    () => flag(`redirect: ${receiver.posts} delivery attempts in 30 s`),
  );
  const delivered = (await stack.queue('access-notifications').getJobs(['completed'])).filter(
    (j) => j.name === 'deliver',
  );
  const logged = stack
    .allLogFiles('worker')
    .some((file) => readFileSync(file, 'utf8').includes(`redirect to ${receiver.elsewhere}`));
  if (receiver.elsewhereSeen.length || delivered.length || !logged)
    flag(
      `redirect: ${receiver.elsewhereSeen.length} requests reached the other host, ${delivered.length} counted delivered, Location logged: ${logged}`,
    );
  return {
    attempts: receiver.posts,
    reachedElsewhere: receiver.elsewhereSeen.length,
    delivered: delivered.length,
    logged,
  };
}

/** Runs the three checks; every problem is one entry of `violations`. */
export async function acceptedOddInput(stack: Stack, receiver: RedirectingReceiver, nulEvents: number) {
  const violations: string[] = [];
  const flag = (what: string) => violations.push(what);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const nul = await oddText(stack, agent, nulEvents, flag);
    const huge = await hugeValues(stack, agent, flag);
    const redirect = await redirectedNotification(stack, agent, receiver, flag);
    return { violations, details: { nul, huge, redirect } };
  } finally {
    agent.destroy();
  }
}
