/**
 * The fault-injection suite, shortened (CHAOS_SCALE=ci sizes), inside `npm test`: scenarios 1–4,
 * 7 and 9 against real api and worker processes started from the TypeScript sources (nothing is
 * built first). PostgreSQL is the test server (a fresh database per scenario); Redis is the test
 * server under a fresh prefix, except for the outage scenario, which stops its own redis-server.
 * Scenario 8 (Redis Cluster) runs in test/runtime/redis-cluster.int.test.ts.
 * Scenario 3 waits ~30–60 s for BullMQ's stalled-job recovery, so it runs alongside the others.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { killAllServiceProcesses, sourceEntry } from '../../chaos/infra/processes';
import { PrivateRedis } from '../../chaos/infra/private-redis';
import { CI } from '../../chaos/scale';
import type { Scenario, ScenarioContext, ScenarioResult } from '../../chaos/scenario';
import { runScenario } from '../../chaos/scenarios';
import { duplicates } from '../../chaos/scenarios/duplicates';
import { hostileInput } from '../../chaos/scenarios/hostile-input';
import { redisOutage } from '../../chaos/scenarios/redis-outage';
import { reordering } from '../../chaos/scenarios/reordering';
import { usageConfirmation } from '../../chaos/scenarios/usage-confirmation';
import { workerCrashes } from '../../chaos/scenarios/worker-crashes';
import type { Servers } from '../../chaos/stack';
import { accessOracle, compareMirror } from '../../chaos/verify';
import { generateWorld } from '../../chaos/world';
import { ADMIN_URL, createTestDatabase } from '../support/postgres';
import { TEST_REDIS_URL } from '../support/redis';

const shared: Servers = { postgresAdminUrl: ADMIN_URL, redisUrl: TEST_REDIS_URL };
const logDir = mkdtempSync(join(tmpdir(), 'chaos-jest-'));
const context = (servers: Servers): ScenarioContext => ({
  servers,
  entry: sourceEntry(),
  logDir,
  scale: CI,
  seed: 4242,
  log: () => undefined,
});
const run = (scenario: Scenario, servers = shared) => runScenario(scenario, context(servers));

/** Zero everywhere, or the numbers behind the row in the failure message. */
function expectClean(r: ScenarioResult): void {
  const bad = r.error !== undefined || r.lost + r.doubled + r.wrong > 0;
  expect({
    scenario: r.name,
    error: r.error,
    lost: r.lost,
    doubled: r.doubled,
    wrong: r.wrong,
    ...(bad ? { details: r.details, logDir } : {}),
  }).toEqual({ scenario: r.name, error: undefined, lost: 0, doubled: 0, wrong: 0 });
}

let crashes: Promise<ScenarioResult>;
beforeAll(() => {
  crashes = run(workerCrashes);
});
// Scenarios stop their own processes; this only matters when a test timed out mid-scenario.
afterAll(() => killAllServiceProcesses());

test('the checker itself flags a wrong, a missing and an extra mirror row, and applies the access rule', async () => {
  const world = generateWorld({ customers: 3, seed: 7, step: 10, start: 1_700_000_000 });
  const db = await createTestDatabase();
  const pool = new Pool({ connectionString: db.url, max: 1 });
  try {
    const [cus] = world.customers;
    await pool.query(
      `INSERT INTO customers (stripe_id, email, name, watermark) VALUES ($1, 'wrong@example.com', NULL, 1), ('cus_extra', NULL, NULL, 1)`,
      [cus],
    );
    const check = await compareMirror(pool, world.truth);
    expect(check.examples).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${cus}: email is "wrong@example.com"`),
        expect.stringContaining('cus_extra: in customers but not in the truth'),
      ]),
    );
    expect(check.wrong).toBe(
      world.truth.size + 1 + [...world.truth.values()].filter((t) => t.object.object === 'subscription').length,
    );
  } finally {
    await pool.end();
    await db.drop();
  }
  const entry = (object: Record<string, unknown>) => ({
    object: object as { id: string; object: string },
    lastType: `${object.object}.updated`,
  });
  const sub = entry({ id: 'sub_1', object: 'subscription', customer: 'cus_a', status: 'active' });
  const failing = entry({
    id: 'in_1',
    object: 'invoice',
    customer: 'cus_a',
    status: 'open',
    attempted: true,
    amount_remaining: 100,
  });
  expect(accessOracle(new Map([['sub_1', sub]]), 'cus_a')).toBe(true);
  expect(
    accessOracle(
      new Map([
        ['sub_1', sub],
        ['in_1', failing],
      ]),
      'cus_a',
    ),
  ).toBe(false);
  expect(accessOracle(new Map([['sub_1', sub]]), 'cus_unknown')).toBe(false);
});

test('1 duplicates: each event delivered 3× at once → one processed_events row each, mirror = truth', async () => {
  expectClean(await run(duplicates));
}, 120_000);

test('2 reordering: shuffled lifecycles, ties, days-late events → mirror and access = truth', async () => {
  expectClean(await run(reordering));
}, 120_000);

test('4 Redis outage: no 2xx without the job in Redis, 503 fast, redelivery applies everything', async () => {
  const redis = await PrivateRedis.start();
  try {
    expectClean(await run(redisOutage, { postgresAdminUrl: ADMIN_URL, redisUrl: redis.url, redis }));
  } finally {
    await redis.destroy();
  }
}, 120_000);

test('7 hostile input: no crash, no undocumented 5xx, nothing recorded, nothing without credentials', async () => {
  expectClean(await run(hostileInput));
}, 120_000);

test('9 usage confirmed: Stripe loses 10 % and refuses 3 customers → after --fix its totals = the ledger = counted, nothing twice', async () => {
  const r = await run(usageConfirmation);
  expectClean(r);
  expect(r.details.meterEventsLost).toBeGreaterThan(0);
  expect(r.details.rejectionsRecorded).toBeGreaterThan(0);
}, 150_000);

test('3 worker crashes: SIGKILLed workers → 0 lost, 0 applied twice, every customer last told its final access, cached answers right', async () => {
  const r = await crashes;
  expectClean(r);
  const notes = r.details.notifications as { received: number; wrong: number };
  expect(notes.received).toBeGreaterThan(0);
  // The product asked the access API throughout, so the final access check read the apis' caches.
  expect((r.details.accessAsked as Record<string, number>)['200']).toBeGreaterThan(50);
}, 150_000);
