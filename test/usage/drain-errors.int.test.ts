/**
 * A drain whose claims fail one after another goes on and then fails with every claim's error (an
 * AggregateError naming each claim), not just the first; a 429 still stops the drain at its first
 * request. Real Redis and PostgreSQL; the meter event stream is a stand-in function.
 */
import { Redis } from 'ioredis';
import { createLogger } from '../../src/logger';
import { drainUsage, DrainDeps } from '../../src/usage/drain';
import { MeterRateLimited, type MeterStream } from '../../src/usage/meter-stream';
import { shardOf } from '../../src/usage/shard';
import { UsageClient } from '../../src/usage/client';
import { UsageStore } from '../../src/usage/usage-store';
import { windowStart } from '../../src/usage/window';
import { startTestService, TestService } from '../support/service';
import { nowSeconds, openClaims, rawRedis } from '../support/usage';

let t: TestService;
let redis: Redis;
beforeAll(async () => {
  // api role only: no drain worker of the service may touch the claims.
  t = await startTestService({ ROLE: 'api' });
  redis = rawRedis();
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

type Send = MeterStream['send'];
const deps = (send: Send): DrainDeps => ({
  store: new UsageStore(redis, t.prefix),
  dataSource: t.service.dataSource,
  stream: { send },
  limiter: { acquire: async () => undefined },
  log: createLogger('silent'),
  keyPrefix: t.prefix,
  windowSeconds: 3600,
});

test('two failing claims: the drain goes on, then fails with both; a 429 stops at once; nothing is lost', async () => {
  // Two customers in different shards, 150 meters each: every claim sends a full batch of its own.
  const first = 'cus_drainErrA';
  const second = ['cus_drainErrB', 'cus_drainErrC', 'cus_drainErrD'].find((c) => shardOf(c) !== shardOf(first))!;
  const at = windowStart(nowSeconds(), 3600) - 1800;
  const events = [first, second].flatMap((customer) =>
    Array.from({ length: 150 }, (_, i) => ({ customer, meter: `m${i}`, value: 1, timestamp: at })),
  );
  await new UsageClient({ redis, keyPrefix: t.prefix }).record(events);

  let calls = 0;
  const failed = await drainUsage(
    deps(async () => {
      calls++;
      throw new Error(`stripe down (${calls})`);
    }),
  ).catch((error: unknown) => error);
  const claims = await openClaims(redis, t.prefix);
  expect(claims).toHaveLength(2);
  expect(failed).toBeInstanceOf(AggregateError);
  const { errors, message } = failed as AggregateError;
  expect((errors as Error[]).map((e) => e.message)).toEqual(['stripe down (1)', 'stripe down (2)']);
  for (const claim of claims) expect(message).toContain(`claim ${claim}: stripe down`);

  calls = 0;
  const limited = await drainUsage(
    deps(async () => {
      calls++;
      throw new MeterRateLimited(1000);
    }),
  ).catch((error: unknown) => error);
  expect({ limited: limited instanceof MeterRateLimited, calls }).toEqual({ limited: true, calls: 1 });

  const sent: string[] = [];
  const result = await drainUsage(deps(async (batch) => void sent.push(...batch.map((e) => e.identifier))));
  expect({ claims: result.claims, events: result.events, sent: new Set(sent).size }).toEqual({
    claims: 2,
    events: 300,
    sent: 300,
  });
  expect(await openClaims(redis, t.prefix)).toEqual([]);
});
