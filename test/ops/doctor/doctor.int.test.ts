/**
 * `npm run doctor` as a user runs it: the real CLI in a child process (test/support/cli.ts) against a Stripe stand-in, this file's migrated database and Redis prefix.
 */
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { handlers } from '../../../src/events/handlers';
import { STRIPE_API_VERSION } from '../../../src/stripe';
import { customerKeys, encodeField } from '../../../src/usage/keys';
import { billingMeter, portalConfiguration, webhookEndpoint } from '../../../stand-in/account-objects';
import { StripeStandIn } from '../../../stand-in/index';
import {
  adminQuery,
  createTestDatabase,
  databaseUrl,
  dropDatabase,
  TestDatabase,
  testDatabaseName,
} from '../../support/postgres';
import { knownMigrationNames } from '../../../src/ops/doctor/fetch-database';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../../support/redis';
import { CliRun, linesStarting, runCli } from '../../support/cli';

const TEST_KEY = 'sk_test_doctorKey1234abcd';
const LIVE_KEY = 'sk_live_doctorKey5678wxyz';
const WEBHOOK_SECRET = 'whsec_doctorSecret9876';

let db: TestDatabase;
let standIn: StripeStandIn;
const prefix = testPrefix();

type Run = CliRun;

/** Runs `npm run doctor`'s CLI with this file's services and `env` on top. */
const doctor = (env: Record<string, string | undefined> = {}): Promise<Run> =>
  runCli('doctor', {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    KEY_PREFIX: prefix,
    STRIPE_SECRET_KEY: TEST_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_URL: standIn.url,
    ...env,
  });

const line = linesStarting;

/** Endpoint, meters for every counted name, portal configuration: everything a deployment needs. */
function putRightSetup(livemode = false): void {
  standIn.put(webhookEndpoint({ api_version: STRIPE_API_VERSION, livemode }));
  standIn.put(webhookEndpoint({ url: 'https://other.example.com/hooks', enabled_events: ['charge.failed'], livemode }));
  standIn.put(billingMeter({ event_name: 'api_calls', livemode }));
  standIn.put(billingMeter({ event_name: 'tokens', livemode }));
  standIn.put(billingMeter({ event_name: 'searches', livemode }));
  standIn.put(portalConfiguration({ livemode }));
}

beforeAll(async () => {
  db = await createTestDatabase();
  standIn = await StripeStandIn.start();
  // Usage counted for three meters: `api_calls` pending and `searches` claimed in Redis, `tokens` already sent (ledger).
  const redis = new Redis(TEST_REDIS_URL);
  const keys = customerKeys(prefix, 'cus_doctor1');
  await redis.hincrby(
    keys.pending,
    encodeField({ customer: 'cus_doctor1', meter: 'api_calls', windowStart: 1767225600 }),
    5,
  );
  await redis.hincrby(
    keys.claim('c1'),
    encodeField({ customer: 'cus_doctor1', meter: 'searches', windowStart: 1767225600 }),
    2,
  );
  await redis.zadd(keys.claims, Date.now(), 'c1'); // not a hash: the scan must pass it by
  await redis.quit();
  const client = new Client({ connectionString: db.url });
  await client.connect();
  await client.query(`INSERT INTO usage_reports (identifier, claim_id, stripe_customer_id, meter, value, window_start, window_end, event_timestamp)
    VALUES ('doc-1', 'claim-1', 'cus_doctor2', 'tokens', 7, now(), now(), now())`);
  await client.end();
});

afterAll(async () => {
  await standIn.close();
  await db.drop();
  await deleteKeys(prefix);
});

beforeEach(() => standIn.reset());

test('a right setup: every line ok, exit 0, one list call per Stripe check', async () => {
  putRightSetup();
  const run = await doctor();
  expect(run.lines.filter((l) => !l.startsWith('ok  '))).toEqual([]);
  expect(run.code).toBe(0);
  expect(run.lines.map((l) => l.slice(4).split(':')[0])).toEqual([
    'configuration',
    'postgresql',
    'migrations',
    'redis',
    'stripe key',
    'webhook endpoints',
    expect.stringMatching(/^webhook endpoint we_/),
    expect.stringMatching(/^webhook endpoint we_/),
    'meter api_calls',
    'meter searches',
    'meter tokens',
    'usage at stripe',
    'customer portal',
  ]);
  expect(line(run, 'ok  stripe key')[0]).toContain('test mode (sk_test_…abcd)');
  expect(line(run, 'ok  webhook endpoint').join('\n')).toContain('https://other.example.com/hooks: not this service');
  expect(standIn.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
    'GET /v1/billing/meters',
    'GET /v1/billing_portal/configurations',
    'GET /v1/webhook_endpoints',
  ]);
  expect(standIn.unexpected).toEqual([]);
}, 60_000);

test('an old API version, missing events, a missing meter and no portal configuration are each named', async () => {
  const old = webhookEndpoint({ api_version: '2020-03-02' });
  const partial = webhookEndpoint({
    api_version: STRIPE_API_VERSION,
    url: 'https://billing.example.com/v2/webhooks/stripe',
    enabled_events: ['customer.created', 'invoice.paid'],
  });
  standIn.put(old);
  standIn.put(partial);
  standIn.put(billingMeter({ event_name: 'api_calls' }));
  standIn.put(billingMeter({ event_name: 'searches' }));
  standIn.put(billingMeter({ event_name: 'tokens', status: 'inactive' }));
  const run = await doctor();
  expect(run.code).toBe(1);
  expect(line(run, `FAIL webhook endpoint ${old.id}: `)).toEqual([
    expect.stringContaining(`api_version 2020-03-02, not the engine's ${STRIPE_API_VERSION}`),
  ]);
  const missing = Object.keys(handlers).filter((t) => t !== 'customer.created' && t !== 'invoice.paid');
  expect(missing.length).toBeGreaterThan(0);
  expect(line(run, `FAIL webhook endpoint ${partial.id}: `)).toEqual([
    expect.stringContaining(`does not send ${missing.length} event type(s) the engine handles: ${missing.join(', ')}`),
  ]);
  expect(line(run, 'FAIL meter tokens: ')).toEqual([expect.stringContaining('is inactive')]);
  expect(line(run, 'ok  meter api_calls: ')).toHaveLength(1);
  expect(line(run, 'FAIL customer portal: ')).toEqual([expect.stringContaining('save the portal settings')]);

  standIn.reset();
  standIn.put(webhookEndpoint({ api_version: STRIPE_API_VERSION }));
  const noMeters = await doctor();
  expect(line(noMeters, 'FAIL meter ').map((l) => l.split(':')[0])).toEqual([
    'FAIL meter api_calls',
    'FAIL meter searches',
    'FAIL meter tokens',
  ]);
  expect(line(noMeters, 'FAIL meter tokens: ')[0]).toContain(
    'create a meter in the Dashboard (Billing → Meters) with event name "tokens"',
  );
}, 60_000);

test('usage Stripe lacks or refused in the last 35 days: counted, meters named, the fixing command given', async () => {
  putRightSetup();
  const client = new Client({ connectionString: db.url });
  await client.connect();
  await client.query(`INSERT INTO usage_reconciliations (stripe_customer_id, meter, hour_start, outcome, ledger_units, stripe_units, checked_at)
    VALUES ('cus_d1', 'tokens', date_trunc('hour', now()) - interval '3 hours', 'missing', 40, 10, now() - interval '1 minute'),
           ('cus_d2', 'api_calls', date_trunc('hour', now()) - interval '5 hours', 'rejected', 7, 0, now() - interval '1 minute'),
           ('cus_d3', 'api_calls', date_trunc('hour', now()) - interval '40 days', 'missing', 5, 0, now() - interval '1 minute')`);
  await client.query(
    `INSERT INTO usage_rejections (identifier, code, stripe_event_id) VALUES ('u_x', 'meter_event_customer_not_found', 'evt_1')`,
  );
  try {
    expect(line(await doctor(), 'FAIL usage at stripe: ')).toEqual([
      'FAIL usage at stripe: 2 hour(s) of the last 35 days differ from Stripe: 1 missing (30 units), 1 rejected (7 units), ' +
        'meters api_calls, tokens; 1 meter event(s) Stripe refused since the last comparison — run `npm run usage:reconcile -- --fix` ' +
        '(it sends what Stripe lacks; remove the cause of a refusal first, e.g. create the customer in Stripe)',
    ]);
  } finally {
    await client.query('DELETE FROM usage_reconciliations; DELETE FROM usage_rejections');
    await client.end();
  }
}, 60_000);

test('no endpoint points at this service: a problem with a fix line', async () => {
  standIn.put(webhookEndpoint({ url: 'https://billing.example.com/hooks', api_version: STRIPE_API_VERSION }));
  const run = await doctor();
  expect(run.code).toBe(1);
  expect(line(run, 'FAIL webhook endpoints: ')).toEqual([
    expect.stringMatching(/none of the account's 1 endpoint\(s\) points at this service .* — add an endpoint for/),
  ]);
}, 60_000);

test('a live key against the test-mode stand-in, and a test key against a live-mode account, are problems; no secret is printed', async () => {
  putRightSetup();
  const live = await doctor({ STRIPE_SECRET_KEY: LIVE_KEY });
  expect(live.code).toBe(1);
  expect(line(live, 'FAIL ')).toEqual([
    expect.stringContaining(
      `FAIL stripe key: live-mode key (sk_live_…wxyz) but ${standIn.url} answered with test-mode objects`,
    ),
  ]);
  expect(live.output).not.toContain(LIVE_KEY);

  standIn.reset();
  putRightSetup(true);
  const test = await doctor();
  expect(line(test, 'FAIL ')).toEqual([expect.stringContaining('FAIL stripe key: test-mode key (sk_test_…abcd) but')]);
  expect(test.output).not.toContain(TEST_KEY);
  expect(test.output).not.toContain(WEBHOOK_SECRET);
}, 60_000);

test('configuration problems are all listed; a missing database says to migrate; Stripe is not called without a key', async () => {
  const run = await doctor({
    STRIPE_SECRET_KEY: undefined,
    PORT: 'seventy',
    DATABASE_URL: databaseUrl(`billing_doctor_absent_${prefix.replace(/-/g, '_')}`),
  });
  expect(run.code).toBe(1);
  expect(line(run, 'FAIL configuration: ').map((l) => l.split(':')[1].trim())).toEqual(['PORT', 'STRIPE_SECRET_KEY']);
  expect(line(run, 'FAIL postgresql: ')).toEqual([expect.stringContaining('run `npm run migrate`')]);
  expect(line(run, 'ok  redis: ')).toHaveLength(1);
  expect(line(run, 'FAIL stripe: not checked')).toHaveLength(1);
  expect(standIn.requests).toEqual([]);
}, 60_000);

test('Redis down: named, and the meters of usage only Redis holds are reported as not checked', async () => {
  putRightSetup();
  const run = await doctor({ REDIS_URL: 'redis://127.0.0.1:1' });
  expect(run.code).toBe(1);
  expect(line(run, 'FAIL ').map((l) => l.split(' — ')[0])).toEqual([
    'FAIL redis: unreachable at REDIS_URL=redis://127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1)',
    'FAIL meters: could not read counted usage from Redis (see above): the meters it needs are not checked',
  ]);
  expect(line(run, 'ok  meter ')).toEqual([expect.stringMatching(/^ok {2}meter tokens: active meter mtr_/)]);
}, 60_000);

test('an empty database: every migration is pending, fix `npm run migrate`', async () => {
  const name = testDatabaseName();
  await adminQuery(`CREATE DATABASE "${name}"`);
  try {
    putRightSetup();
    const run = await doctor({ DATABASE_URL: databaseUrl(name) });
    expect(run.code).toBe(1);
    const known = knownMigrationNames();
    expect(line(run, 'FAIL migrations: ')).toEqual([
      `FAIL migrations: ${known.length} of ${known.length} pending: ${known.join(', ')} — run \`npm run migrate\``,
    ]);
    expect(line(run, 'ok  postgresql: ')).toHaveLength(1);
  } finally {
    await dropDatabase(name);
  }
}, 60_000);
