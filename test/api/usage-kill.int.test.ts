/**
 * The api process SIGKILLed between receiving a usage request and answering it: the client never
 * sees an answer, does not know whether it counted, and sends the same request to the restarted
 * api. With event ids every event is billed exactly once, and the retry's `duplicates` is exactly
 * the number of events the killed attempt had counted.
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { killAllServiceProcesses, ServiceProcess, sourceEntry } from '../../chaos/infra/processes';
import { customerKeys } from '../../src/usage/keys';
import { windowStart } from '../../src/usage/window';
import { API_KEY, startTestService, TestService } from '../support/service';
import { add, nowSeconds, rawRedis, standInTotals } from '../support/usage';

let t: TestService;
let redis: Redis;
let port: number;
const logDir = mkdtempSync(join(tmpdir(), 'usage-api-kill-'));
beforeAll(async () => {
  // The worker role only: the api runs as a child process this test kills.
  t = await startTestService({ ROLE: 'worker', STRIPE_METER_RATE_LIMIT_PER_SECOND: '1000' });
  redis = rawRedis();
  port = await freePort();
});
afterAll(async () => {
  killAllServiceProcesses();
  await redis.quit();
  await t.stop();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
  });
}

const startApi = () =>
  ServiceProcess.start(
    'api',
    sourceEntry(),
    {
      ROLE: 'api',
      PORT: String(port),
      DATABASE_URL: t.db.url,
      REDIS_URL: t.config.REDIS_URL,
      KEY_PREFIX: t.prefix,
      STRIPE_SECRET_KEY: 'sk_test_standin',
      STRIPE_WEBHOOK_SECRET: 'whsec_unused',
      STRIPE_API_URL: t.standIn.url,
      API_KEYS: API_KEY,
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: '2',
      REPLAY_INTERVAL_MS: '0',
    },
    join(logDir, 'api.log'),
  );

/** POSTs the body; `afterSent` runs once the request is fully written. Status 0: no answer. */
function send(
  body: string,
  afterSent: () => void = () => undefined,
): Promise<{ status: number; json?: { accepted: number; duplicates: number } }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/usage',
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
        res.on('error', () => resolve({ status: 0 }));
      },
    );
    req.on('error', () => resolve({ status: 0 }));
    req.on('finish', afterSent);
    req.end(body);
  });
}

test('SIGKILL of the api between sending and answering, then the same request again → billed once', async () => {
  const expected: Record<string, number> = {};
  const at = windowStart(nowSeconds(), 3600) - 60;
  let unanswered = 0;
  let api = await startApi();
  for (let round = 0; round < 4; round++) {
    const events = Array.from({ length: 200 }, (_, i) => ({
      customer: `cus_kill${i % 40}`,
      meter: 'api_calls',
      value: 1 + (i % 5),
      id: `kill${round}-${i}`,
      timestamp: at,
    }));
    for (const e of events) add(expected, e.customer, e.meter, e.value);
    const body = JSON.stringify({ events });
    // Kill the instant the request is on the wire (later in later rounds): the answer is lost.
    const killed = api;
    const first = await send(
      body,
      () => void new Promise((ok) => setTimeout(ok, round)).then(() => killed.kill('SIGKILL')),
    );
    await killed.kill('SIGKILL');
    if (first.status === 0) unanswered++;
    const counted = (
      await Promise.all(events.map((e) => redis.exists(customerKeys(t.prefix, e.customer).eventId(e.customer, e.id))))
    ).reduce((a, b) => a + b, 0);
    api = await startApi();
    const retry = await send(body);
    expect(retry).toEqual({ status: 202, json: { accepted: 200, duplicates: counted } });
  }
  await api.kill('SIGKILL');
  expect(unanswered).toBeGreaterThan(0);
  await t.service.usage!.drainNow();
  expect(standInTotals(t.standIn)).toEqual(expected);
}, 120_000);
