/**
 * 7. Hostile input: random and mutated requests to every route → the api never crashes, answers
 * no 5xx beyond the documented ones, records nothing, and the board and /v1 never answer
 * without credentials, nor the board to a cross-site write with them. Then odd input that is
 * valid (hostile-accepted.ts: NUL text, usage near 2^53, a redirecting notification receiver)
 * must be handled exactly.
 */
import type { Redis } from 'ioredis';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { keepAliveAgent, pool, post } from '../delivery';
import { hostileRequest, HostileRequest } from '../hostile';
import { NOTIFY_SECRET } from '../notifications';
import { Scenario } from '../scenario';
import { Stack } from '../stack';
import { seededRandom } from '../../stand-in/util';
import { acceptedOddInput, RedirectingReceiver } from './hostile-accepted';

/** Sends bytes as they are and reads the status line (0 when the server closed without one). */
function sendRaw(port: number, bytes: Buffer, hangUp: boolean): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = () => {
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve(m ? Number(m[1]) : 0);
    };
    socket.setTimeout(5000, done);
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (/\r\n\r\n/.test(text)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(bytes, () => hangUp && setTimeout(done, 50));
  });
}

/** Redis keys a request could have written: usage counters and Stripe event jobs. */
async function dataKeys(stack: Stack): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const match of [`${stack.prefix}:usage:*`, `${stack.prefix}:stripe-events:evt_*`]) {
    // This scenario runs on one Redis (SCAN is per node on a cluster).
    const stream = (stack.redis as Redis).scanStream({ match, count: 1000 });
    for await (const batch of stream as AsyncIterable<string[]>) for (const k of batch) keys.add(k);
  }
  return keys;
}

export const hostileInput: Scenario = {
  id: 7,
  name: 'Hostile input',
  async run(ctx) {
    const n = ctx.scale.hostile.requests;
    const rng = seededRandom(ctx.seed + 7);
    const requests: HostileRequest[] = Array.from({ length: n }, () => hostileRequest(rng));
    const receiver = await RedirectingReceiver.start();
    const stack = await Stack.start({
      name: 's7',
      entry: ctx.entry,
      servers: ctx.servers,
      logDir: ctx.logDir,
      workers: 1,
      env: { ACCESS_WEBHOOK_URL: receiver.url, ACCESS_WEBHOOK_SECRET: NOTIFY_SECRET },
    });
    try {
      const port = Number(new URL(stack.apiUrl).port);
      const before = await dataKeys(stack);
      const agent = keepAliveAgent(16);
      const statuses: Record<string, number> = {};
      const violations: string[] = [];
      const flag = (what: string) => violations.push(what);
      ctx.log(`sending ${n} hostile requests`);
      await pool(requests, 16, async (r) => {
        const status = r.raw
          ? await sendRaw(port, r.raw, !!r.hangUp)
          : (await post(agent, `${stack.apiUrl}${r.path}`, r.body, r.headers, 10_000, r.method)).status;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status >= 500) flag(`${r.kind} ${r.method} ${r.path.slice(0, 80)} → ${status}`);
        if (r.protectedRoute && status >= 200 && status < 400)
          flag(`${r.kind} ${r.method} ${r.path.slice(0, 80)} → ${status}: a protected route must refuse it`);
        if (status === 0 && !r.raw && !r.kind.includes('huge'))
          flag(`${r.kind} ${r.method} ${r.path.slice(0, 80)} → no answer`);
      });
      agent.destroy();
      const health = await post(new Agent(), `${stack.apiUrl}/healthz`, '', {}, 5000, 'GET');
      if (health.status !== 200 || !stack.api.running)
        flag(`api not healthy afterwards (healthz ${health.status}, running ${stack.api.running})`);
      await stack.settle(30_000);
      const recorded = {
        processedEvents: await stack.count('SELECT count(*) FROM processed_events'),
        mirrorRows: await stack.count(
          'SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM subscriptions) + (SELECT count(*) FROM invoices) + (SELECT count(*) FROM products) + (SELECT count(*) FROM prices)',
        ),
        jobs: Object.values(await stack.jobCounts()).reduce((a, b) => a + b, 0),
        // A forged delivery added through the board would be signed and sent to the product.
        notificationJobs: (await stack.queue('access-notifications').getJobs()).filter((j) => j.name === 'deliver')
          .length,
        newRedisKeys: [...(await dataKeys(stack))].filter((k) => !before.has(k)),
      };
      const recordedCount =
        recorded.processedEvents +
        recorded.mirrorRows +
        recorded.jobs +
        recorded.notificationJobs +
        recorded.newRedisKeys.length;
      ctx.log('odd but valid input: NUL text, usage near 2^53, a redirecting receiver');
      const accepted = await acceptedOddInput(stack, receiver, Math.min(50, Math.max(5, Math.round(n / 50))));
      const crashed = stack.processes.filter((p) => p.crashed).map((p) => p.name);
      const kinds = new Set(requests.map((r) => r.kind));
      return {
        load: `${n} requests of ${kinds.size} kinds to every route`,
        faults:
          'bad/replayed/stale signatures, truncated and huge bodies, wrong types, unicode, path tricks, no credentials, cross-site admin writes, forged Bull Board jobs; NUL text, usage near 2^53, a redirecting receiver',
        lost: 0,
        doubled: 0,
        wrong: violations.length + recordedCount + crashed.length + accepted.violations.length,
        details: {
          statuses,
          violations: violations.slice(0, 20),
          violationCount: violations.length,
          recorded,
          processesCrashed: crashed,
          kinds: [...kinds],
          accepted,
        },
      };
    } finally {
      await stack.stop();
      await receiver.close();
    }
  },
};
