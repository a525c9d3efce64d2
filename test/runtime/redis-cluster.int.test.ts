/**
 * The engine on a real local Redis Cluster (three masters started by the test itself):
 *  - in-process: preflight, /readyz, Bull Board over every partition, webhooks applied, usage
 *    counted and drained (each usage script call's keys share one shard's `{u<s>}` tag), queue slots as computed;
 *  - chaos scenario 8 (CI size): two apis and three worker processes, 6 partitions, a worker
 *    SIGKILLed, usage through both apis, a master shut down and restarted during delivery, with
 *    probes on its partitions;
 *  - a worker connection still connects while the cluster reports cluster_state:fail;
 *  - the helper leaves no server process and no directory behind.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAllServiceProcesses, sourceEntry } from '../../chaos/infra/processes';
import { CI } from '../../chaos/scale';
import type { ScenarioResult } from '../../chaos/scenario';
import { runScenario } from '../../chaos/scenarios';
import { PROBE_ANSWER_MS } from '../../chaos/scenarios/cluster-outage';
import { CLUSTER_PARTITIONS, redisCluster } from '../../chaos/scenarios/redis-cluster';
import { keySlot } from '../../src/lib/cluster-slot';
import { stripeEventQueueNames } from '../../src/queues/partitions';
import { preflight } from '../../src/runtime/preflight';
import { createWorkerRedis } from '../../src/runtime/redis';
import { withTimeout } from '../../src/runtime/timeout';
import { http } from '../../stand-in/http-client';
import { waitFor } from '../../src/lib/wait';
import { customer, event, invoice, subscription } from '../../stand-in/events';
import { ADMIN_URL } from '../support/postgres';
import { RedisCluster } from '../support/redis-cluster';
import { rows, settle, startTestService, TestService } from '../support/service';
import { TEST_REDIS_URL } from '../support/redis';

let cluster: RedisCluster;
let t: TestService;
let scenario: Promise<ScenarioResult>;

beforeAll(async () => {
  // The child-process scenario runs alongside the in-process checks (it starts its own cluster).
  const logDir = mkdtempSync(join(tmpdir(), 'chaos-cluster-'));
  scenario = runScenario(redisCluster, {
    servers: { postgresAdminUrl: ADMIN_URL, redisUrl: TEST_REDIS_URL },
    entry: sourceEntry(),
    logDir,
    scale: CI,
    seed: 1414,
    log: () => undefined,
  });
  cluster = await RedisCluster.start();
  t = await startTestService({
    REDIS_CLUSTER_NODES: cluster.nodes,
    EVENT_QUEUE_PARTITIONS: '3',
    ADMIN_USER: 'admin',
    ADMIN_PASSWORD: 'pw',
  });
}, 60_000);
afterAll(async () => {
  await t?.stop();
  await cluster?.destroy();
  killAllServiceProcesses();
});

test('start-up checks and /readyz see the cluster; a wrong node is named', async () => {
  const nodes = cluster.masters.map((m) => ({ host: '127.0.0.1', port: m.port }));
  expect(await preflight(t.db.url, { clusterNodes: nodes })).toEqual([]);
  expect((await http('GET', `${t.url}/readyz`)).json).toMatchObject({ status: 'ready', checks: { redis: 'ok' } });
  const lines = await preflight(t.db.url, { clusterNodes: [{ host: '127.0.0.1', port: 1 }] });
  expect(lines).toEqual([
    expect.stringMatching(
      /^Redis Cluster unreachable or incomplete at REDIS_CLUSTER_NODES=127\.0\.0\.1:1 .*docker compose up -d/,
    ),
  ]);
});

test('each queue sits in the slot the engine computed, partitions on different masters', async () => {
  const names = stripeEventQueueNames(3, true);
  const slots = await cluster.onMaster(0, (r) =>
    Promise.all(names.map((n) => r.cluster('KEYSLOT', `${t.prefix}:${n}:wait`) as Promise<number>)),
  );
  expect(slots).toEqual(names.map((n) => keySlot(`${t.prefix}:${n}:wait`)));
  const board = await http('GET', `${t.url}/admin/queues/api/queues`, {
    headers: { authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` },
  });
  const shown = (board.json as { queues: Array<{ name: string }> }).queues.map((q) => q.name);
  expect(shown).toEqual(expect.arrayContaining([...names, '{maintenance}', '{usage-drain}']));
});

test('webhooks are applied and usage is counted and drained on the cluster', async () => {
  const customers = Array.from({ length: 12 }, () => customer());
  for (const c of customers) expect((await t.deliver(event('customer.created', c))).status).toBe(200);
  await settle(t);
  expect((await rows(t, 'customers', 'stripe_id')).length).toBe(12);
  const counts = await Promise.all(t.service.eventQueues!.partitions.map((q) => q.getJobCountByTypes('completed')));
  expect(counts.filter((n) => n > 0).length).toBeGreaterThan(1);

  const usage = customers.slice(0, 3).map((c, i) => ({ customer: c.id, meter: 'api_calls', value: i + 1 }));
  expect((await t.v1('POST', '/usage', { events: usage })).status).toBe(202);
  await t.service.usage!.drainNow();
  const totals = t.standIn.meterTotals();
  expect(usage.map((u) => totals.get(`${u.customer}|api_calls`))).toEqual([1, 2, 3]);
});

test('the access cache follows its change feed on the cluster: a payment failure reaches a cached answer', async () => {
  const metrics = async () => (await http('GET', `${t.url}/metrics`)).text;
  await waitFor(
    async () => (await metrics()).includes('billing_access_cache_live 1'),
    10_000,
    'the access cache to be live',
  );
  const c = customer();
  const sub = subscription({ customer: c.id, status: 'active' });
  for (const e of [event('customer.created', c), event('customer.subscription.created', sub)])
    expect((await t.deliver(e)).status).toBe(200);
  await settle(t);
  const ask = async () => ((await t.v1('GET', `/customers/${c.id}/access`)).json as { access: boolean }).access;
  expect([await ask(), await ask()]).toEqual([true, true]);
  const failed = invoice({ customer: c.id, subscription: sub.id, status: 'open', attempted: true, amount_paid: 0 });
  expect(
    (await t.deliver(event('invoice.payment_failed', failed, { created: Math.floor(Date.now() / 1000) + 5 }))).status,
  ).toBe(200);
  await settle(t);
  await waitFor(async () => !(await ask()), 5000, 'the cached answer to change');
});

describe('chaos scenario 8 on a three-master cluster (two apis, three workers, 6 partitions)', () => {
  let r: ScenarioResult;
  // ~80 s alone; twice that when the box is busy (jest's second file, other work on 2 cores).
  beforeAll(async () => {
    r = await scenario;
    if (r.error) throw new Error(r.error);
  }, 300_000);

  test('whole lifecycles, shuffled and doubled, one worker SIGKILLed: mirror and access exact, every master holds keys', () => {
    expect({
      lost: r.lost,
      doubled: r.doubled,
      mirrorWrong: r.details.mirrorWrong,
      accessWrong: r.details.accessWrong,
      crashed: r.details.processesCrashed,
    }).toEqual({ lost: 0, doubled: 0, mirrorWrong: 0, accessWrong: 0, crashed: [] });
    expect(r.details.keysPerMaster).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
    for (const keys of r.details.keysPerMaster as number[]) expect(keys).toBeGreaterThan(0);
    expect(CLUSTER_PARTITIONS).toBe(6);
  });

  test('usage through both apis, drained on the cluster: Stripe totals and the ledger exact', () => {
    expect({ stripe: r.details.stripeUsageWrong, ledger: r.details.ledgerWrong }).toEqual({ stripe: [], ledger: [] });
    expect(r.details.usageUnits).toBeGreaterThan(0);
  });

  test('a master restarted during delivery: 503 while it is gone, nothing acknowledged lost, mirror exact', () => {
    // Probes: two events of one customer per partition of the stopped master, to both apis while it is gone.
    const probeEvents = 2 * (r.details.probeCustomers as string[]).length;
    expect(r.details.victimPartitions).toEqual([expect.any(Number), expect.any(Number)]);
    expect(r.details.probeAnswersWhileGone).toEqual({ 503: 2 * probeEvents });
    expect(r.details.slowestProbeAnswerMs).toBeLessThanOrEqual(PROBE_ANSWER_MS);
    expect(r.details.readyzDuringOutage).toBe(503);
    expect({
      probeProblems: r.details.probeProblems,
      probesNotAppliedOnce: r.details.probesNotAppliedOnce,
      acceptedWhileGone: r.details.acceptedWhileGone,
      slow: r.details.hungOrSlowAnswers,
      ackedNotStored: r.details.acknowledgedButNotInRedis,
      wrong: r.wrong,
    }).toEqual({
      probeProblems: [],
      probesNotAppliedOnce: [],
      acceptedWhileGone: [],
      slow: 0,
      ackedNotStored: [],
      wrong: 0,
    });
  });
});

test('a worker connection connects while a master is gone and the cluster reports cluster_state:fail', async () => {
  // BullMQ awaits connect() when it resets a blocking connection; with ioredis' ready check it never settled.
  const spare = await RedisCluster.start();
  try {
    await spare.shutdown(1);
    await waitFor(
      async () => (await spare.onMaster(0, (r) => r.cluster('INFO') as Promise<string>)).includes('cluster_state:fail'),
      15_000,
      'the master to be marked failed',
    );
    const redis = createWorkerRedis({
      clusterNodes: [0, 2].map((i) => ({ host: '127.0.0.1', port: spare.masters[i].port })),
    });
    redis.on('error', () => undefined);
    await expect(withTimeout(redis.connect(), 5000, 'connect')).resolves.toBeUndefined();
    redis.disconnect();
  } finally {
    await spare.destroy();
  }
}, 40_000);

test('the cluster helper leaves no server process and no directory behind', async () => {
  const spare = await RedisCluster.start();
  const pids = spare.pids;
  expect(pids).toHaveLength(3);
  await spare.destroy();
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await waitFor(async () => pids.every((pid) => !alive(pid)), 5000, 'the servers to be gone');
  expect(existsSync(spare.dir)).toBe(false);
});
