/**
 * `npm run doctor` as a user runs it: the real CLI in a child process against a Stripe stand-in, this
 * file's migrated database and Redis prefix (./doctor-world.ts).
 */
import { handlers } from '../../../src/events/handlers';
import { STRIPE_API_VERSION } from '../../../src/stripe';
import { billingMeter, eventDestination, webhookEndpoint } from '../../../stand-in/account-objects';
import { adminQuery, databaseUrl, dropDatabase, testDatabaseName } from '../../support/postgres';
import { knownMigrationNames } from '../../../src/ops/doctor/fetch-database';
import { linesStarting } from '../../support/cli';
import { doctorWorld, LIVE_KEY, TEST_KEY, WEBHOOK_SECRET } from './doctor-world';

const world = doctorWorld();
const { doctor, putRightSetup } = world;
const line = linesStarting;

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
    'event destination',
    'meter api_calls',
    'meter searches',
    'meter tokens',
    'usage at stripe',
    'customer portal',
  ]);
  expect(line(run, 'ok  stripe key')[0]).toContain('test mode (sk_test_…abcd)');
  expect(line(run, 'ok  webhook endpoint').join('\n')).toContain('https://other.example.com/hooks: not this service');
  expect(world.standIn.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
    'GET /v1/billing/meters',
    'GET /v1/billing_portal/configurations',
    'GET /v1/webhook_endpoints',
    'GET /v2/core/event_destinations',
  ]);
  expect(world.standIn.unexpected).toEqual([]);
}, 60_000);

test('an unreadable API version, missing events, a missing meter and no portal configuration are each named', async () => {
  const old = webhookEndpoint({ api_version: '2019-12-03' });
  const readable = webhookEndpoint({
    api_version: '2024-06-20',
    url: 'https://billing.example.com/v1/webhooks/stripe',
  });
  const partial = webhookEndpoint({
    api_version: STRIPE_API_VERSION,
    url: 'https://billing.example.com/v2/webhooks/stripe',
    enabled_events: ['customer.created', 'invoice.paid'],
  });
  world.standIn.put(old);
  world.standIn.put(readable);
  world.standIn.put(partial);
  world.standIn.put(billingMeter({ event_name: 'api_calls' }));
  world.standIn.put(billingMeter({ event_name: 'searches' }));
  world.standIn.put(billingMeter({ event_name: 'tokens', status: 'inactive' }));
  const run = await doctor();
  expect(run.code).toBe(1);
  expect(line(run, `FAIL webhook endpoint ${old.id}: `)).toEqual([
    expect.stringContaining('api_version 2019-12-03, older than 2020-03-02, the oldest the engine reads'),
  ]);
  expect(line(run, `ok  webhook endpoint ${readable.id}: `)).toEqual([
    expect.stringContaining(
      `api_version 2024-06-20 (read by the engine; \`npm run setup -- --url https://<this service>\` moves it to ${STRIPE_API_VERSION})`,
    ),
  ]);
  const missing = Object.keys(handlers).filter((t) => t !== 'customer.created' && t !== 'invoice.paid');
  expect(missing.length).toBeGreaterThan(0);
  expect(line(run, `FAIL webhook endpoint ${partial.id}: `)).toEqual([
    expect.stringContaining(`does not send ${missing.length} event type(s) the engine handles: ${missing.join(', ')}`),
  ]);
  expect(line(run, 'FAIL meter tokens: ')).toEqual([expect.stringContaining('is inactive')]);
  expect(line(run, 'ok  meter api_calls: ')).toHaveLength(1);
  expect(line(run, 'FAIL customer portal: ')).toEqual([expect.stringContaining('save the portal settings')]);

  world.standIn.reset();
  world.standIn.put(webhookEndpoint({ api_version: STRIPE_API_VERSION }));
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

test('no endpoint or event destination points at this service: problems with a fix line', async () => {
  world.standIn.put(webhookEndpoint({ url: 'https://billing.example.com/hooks', api_version: STRIPE_API_VERSION }));
  world.standIn.put(eventDestination({ webhook_endpoint: { url: 'https://billing.example.com/hooks' } }));
  const run = await doctor();
  expect(run.code).toBe(1);
  expect(line(run, 'FAIL webhook endpoints: ')).toEqual([
    expect.stringMatching(/none of the account's 1 endpoint\(s\) points at this service .* — add an endpoint for/),
  ]);
  expect(line(run, 'FAIL event destination: ')).toEqual([
    expect.stringMatching(
      /no enabled event destination sends .* — run `npm run setup -- --url https:\/\/<this service>`/,
    ),
  ]);
  // The request asked Stripe for the URLs, which a v2 list answers as null otherwise.
  expect(world.standIn.requests.find((r) => r.path === '/v2/core/event_destinations')?.query).toMatchObject({
    include: ['webhook_endpoint.url'],
  });
}, 60_000);

test('a live key against the test-mode stand-in, and a test key against a live-mode account, are problems; no secret is printed', async () => {
  putRightSetup();
  const live = await doctor({ STRIPE_SECRET_KEY: LIVE_KEY });
  expect(live.code).toBe(1);
  expect(line(live, 'FAIL ')).toEqual([
    expect.stringContaining(
      `FAIL stripe key: live-mode key (sk_live_…wxyz) but ${world.standIn.url} answered with test-mode objects`,
    ),
  ]);
  expect(live.output).not.toContain(LIVE_KEY);

  world.standIn.reset();
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
    DATABASE_URL: databaseUrl(`billing_doctor_absent_${world.prefix.replace(/-/g, '_')}`),
  });
  expect(run.code).toBe(1);
  expect(line(run, 'FAIL configuration: ').map((l) => l.split(':')[1].trim())).toEqual(['PORT', 'STRIPE_SECRET_KEY']);
  expect(line(run, 'FAIL postgresql: ')).toEqual([expect.stringContaining('run `npm run migrate`')]);
  expect(line(run, 'ok  redis: ')).toHaveLength(1);
  expect(line(run, 'FAIL stripe: not checked')).toHaveLength(1);
  expect(world.standIn.requests).toEqual([]);
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
