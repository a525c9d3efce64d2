/** With Redis down or frozen the webhook answers 503 within the enqueue timeout (never 200, never a hang), and recovers. */
import { customer, event } from '../../stand-in/events';
import { PrivateRedis } from '../../chaos/infra/private-redis';
import { startTestService, TestService } from '../support/service';

let redis: PrivateRedis;
let t: TestService;
beforeAll(async () => {
  redis = await PrivateRedis.start();
  t = await startTestService({ REDIS_URL: redis.url, ROLE: 'api' });
});
afterAll(async () => {
  redis.thaw();
  await t.stop();
  await redis.destroy();
});

async function timedDelivery(): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const res = await t.deliver(event('customer.created', customer()));
  return { status: res.status, ms: Date.now() - started };
}

test('a healthy Redis takes the event', async () => {
  expect((await timedDelivery()).status).toBe(200);
});

test('a frozen Redis (no answers at all) → 503 within the 3 s enqueue timeout', async () => {
  redis.freeze();
  try {
    const { status, ms } = await timedDelivery();
    expect(status).toBe(503);
    expect(ms).toBeLessThan(5_000);
  } finally {
    redis.thaw();
  }
});

test('a stopped Redis → 503, then 200 again once it is back, without a restart of the api', async () => {
  await redis.kill();
  const down = await timedDelivery();
  expect(down.status).toBe(503);
  expect(down.ms).toBeLessThan(5_000);
  const ready = await (await import('../../stand-in/http-client')).http('GET', `${t.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(ready.text).toContain('redis');

  await redis.start();
  const { waitFor } = await import('../../src/lib/wait');
  await waitFor(async () => (await timedDelivery()).status === 200, 15_000, 'the api to reconnect');
});
