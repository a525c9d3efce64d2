/**
 * The usage query reads one customer's cells, not the shard's (issue 23): the record and claim
 * scripts keep a lexicographic index of each usage hash's fields (`<hash>:index`), and the
 * snapshot script reads the customer's range of it, in the pending hash and in every open claim.
 * Watched with MONITOR: no whole-hash read of a shard that thousands of other customers share,
 * the totals exact all the same. Cells a raw HINCRBY created are not indexed: the query notices (a
 * field count against an index count) and reads that hash whole, still exact. A drain leaves no
 * index behind.
 */
import { Redis } from 'ioredis';
import { UsageClient } from '../../src/usage/client';
import { customerKeys, usageKeys } from '../../src/usage/keys';
import { shardOf } from '../../src/usage/shard';
import { UsageStore } from '../../src/usage/usage-store';
import { windowStart } from '../../src/usage/window';
import { startTestService, TestService } from '../support/service';
import { nowSeconds, rawIncrement, rawRedis } from '../support/usage';

let t: TestService;
let redis: Redis;
let client: UsageClient;
beforeAll(async () => {
  t = await startTestService({ STRIPE_METER_RATE_LIMIT_PER_SECOND: '1000' });
  redis = rawRedis();
  client = new UsageClient({ redis, keyPrefix: t.prefix });
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

const target = 'cus_IndexTarget';
const keys = () => customerKeys(t.prefix, target);
const hour = () => windowStart(nowSeconds(), 3600);
/** Customers in the target's shard: the ones whose cells the query must not read. */
const neighbours = Array.from({ length: 4000 }, (_, i) => `cus_n${i}`)
  .filter((c) => shardOf(c) === shardOf(target))
  .slice(0, 100);

async function recordNeighbours(cellsEach: number): Promise<void> {
  const events = neighbours.flatMap((customer) =>
    Array.from({ length: cellsEach }, (_, m) => ({ customer, meter: `m${m}`, value: 1, timestamp: hour() - 60 })),
  );
  for (let i = 0; i < events.length; i += 1000) await client.record(events.slice(i, i + 1000));
}

/**
 * A MONITOR connection. ioredis flips it to monitoring a tick after Redis's OK, so on a busy Redis a
 * line arriving in that tick fails the connection ("Command queue state error"): try again.
 */
async function startMonitor(attempts = 5): Promise<Redis> {
  const monitor = redis.duplicate({ monitor: true, lazyConnect: false });
  monitor.on('error', () => undefined);
  try {
    await new Promise((ok, fail) => {
      monitor.once('monitoring', ok);
      monitor.once('error', fail);
    });
    return monitor;
  } catch (error) {
    monitor.disconnect();
    if (attempts <= 1) throw error;
    return startMonitor(attempts - 1);
  }
}

/** The usage answer's pending units per meter, and the Redis commands the scripts ran on the target's shard meanwhile. */
async function watchedQuery(): Promise<{ pending: Record<string, number>; commands: string[] }> {
  const commands: string[] = [];
  const monitor = await startMonitor();
  const shardPrefix = keys().pending.replace(/pending$/, '');
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.length > 1 && args[1].startsWith(shardPrefix)) commands.push(`${args[0].toUpperCase()} ${args[1]}`);
  });
  const res = await t.v1('GET', `/customers/${target}/usage`);
  await new Promise((ok) => setTimeout(ok, 100)); // MONITOR lines trail the replies
  monitor.disconnect();
  expect(res.status).toBe(200);
  const meters = (res.json as { meters: Record<string, { pending: number }> }).meters;
  return { pending: Object.fromEntries(Object.entries(meters).map(([m, v]) => [m, v.pending])), commands };
}

/** Every index member is a field of its hash; with `complete`, every field is indexed too. */
async function expectIndexOf(hash: string, complete: boolean) {
  const members = await redis.zrange(`${hash}:index`, 0, -1);
  const fields = new Set(await redis.hkeys(hash));
  expect(members.filter((m) => !fields.has(m))).toEqual([]);
  if (complete) expect(members.length).toBe(fields.size);
}

test('pending and an open claim of a busy shard: only the customer’s index range is read, totals exact', async () => {
  expect(neighbours.length).toBe(100);
  await recordNeighbours(30);
  await client.record([
    { customer: target, meter: 'api_calls', value: 5, timestamp: hour() - 60 },
    { customer: target, meter: 'api_calls', value: 7, timestamp: hour() - 3660 },
    { customer: target, meter: 'storage_gb', value: 2, timestamp: hour() - 60, id: 'once' },
  ]);
  // A drain's claim, left open (Stripe not reached yet), and new usage arriving meanwhile.
  const store = new UsageStore(redis, t.prefix);
  const [claim] = await store.claim(keys(), 3600);
  await recordNeighbours(10);
  await client.record({ customer: target, meter: 'api_calls', value: 1, timestamp: hour() - 60 });
  await expectIndexOf(keys().pending, true);
  await expectIndexOf(keys().claim(claim.id), true);

  const { pending, commands } = await watchedQuery();
  expect(pending).toEqual({ api_calls: 13, storage_gb: 2 });
  expect(commands.filter((c) => /^(HGETALL|HVALS|HKEYS|HSCAN) /.test(c))).toEqual([]);
  expect(commands).toEqual(
    expect.arrayContaining([`ZRANGEBYLEX ${keys().pending}:index`, `ZRANGEBYLEX ${keys().claim(claim.id)}:index`]),
  );
});

test('an invoice flush moves the customer’s cells and their index entries together', async () => {
  const store = new UsageStore(redis, t.prefix);
  const open = await store.claim(keys(), 3600, { customers: new Set([target]), settles: [] });
  const flushed = open.at(-1)!;
  expect(await redis.hkeys(keys().claim(flushed.id))).toEqual([expect.stringMatching(/^cus_IndexTarget\|api_calls\|/)]);
  await expectIndexOf(keys().claim(flushed.id), true);
  await expectIndexOf(keys().pending, true);
  const { pending, commands } = await watchedQuery();
  expect(pending).toEqual({ api_calls: 13, storage_gb: 2 });
  expect(commands.filter((c) => c.startsWith('HGETALL'))).toEqual([]);
});

test('a raw HINCRBY cell (not indexed) is still counted: that hash is read whole', async () => {
  await rawIncrement(redis, t.prefix, target, 'raw_meter', 4, hour() - 60);
  await expectIndexOf(keys().pending, false);
  const { pending, commands } = await watchedQuery();
  expect(pending).toEqual({ api_calls: 13, storage_gb: 2, raw_meter: 4 });
  expect(commands).toContain(`HGETALL ${keys().pending}`);
});

test('a drain sends everything and leaves no index behind', async () => {
  await t.service.usage!.drainNow();
  expect((await watchedQuery()).pending).toEqual({ api_calls: 0, storage_gb: 0, raw_meter: 0 });
  const left = await redis.keys(`${t.prefix}:usage:*:index`);
  expect(left).toEqual([]);
  expect(await redis.exists(usageKeys(t.prefix, shardOf(target)).pending)).toBe(0);
});
