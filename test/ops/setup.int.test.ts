/**
 * `npm run setup` end to end, as an operator runs it: the real CLI (test/support/cli.ts) against the
 * Stripe stand-in, then `npm run doctor` with the STRIPE_WEBHOOK_SECRET it printed. An account with an
 * old endpoint of this URL and an endpoint of another service: a dry run changes nothing, setup adds
 * what is missing, the doctor passes, a second run is a no-op, `--remove-old` removes only the old one.
 */
import type Stripe from 'stripe';
import { handlers } from '../../src/events/handlers';
import { MANAGED_BY } from '../../src/ops/setup/actions';
import { STRIPE_API_VERSION } from '../../src/stripe';
import { portalConfiguration, webhookEndpoint } from '../../stand-in/account-objects';
import { StripeStandIn } from '../../stand-in/index';
import { CliRun, linesStarting as line, runCli } from '../support/cli';
import { createTestDatabase, TestDatabase } from '../support/postgres';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../support/redis';

const BASE = 'https://billing.example.com';
const URL = `${BASE}/webhooks/stripe`;
const OLD_SECRET = 'whsec_oldEndpointSecret1234';

let db: TestDatabase;
let standIn: StripeStandIn;
const prefix = testPrefix();
let old: Stripe.WebhookEndpoint;
let other: Stripe.WebhookEndpoint;

const env = (over: Record<string, string | undefined> = {}) => ({
  DATABASE_URL: db.url,
  REDIS_URL: TEST_REDIS_URL,
  KEY_PREFIX: prefix,
  STRIPE_SECRET_KEY: 'sk_test_setupKey1234',
  STRIPE_WEBHOOK_SECRET: OLD_SECRET,
  STRIPE_API_URL: standIn.url,
  ...over,
});
const setup = (args: string[], over: Record<string, string | undefined> = {}): Promise<CliRun> =>
  runCli('setup', env(over), args);
const writes = () => standIn.requests.filter((r) => r.method !== 'GET');
const endpointIds = () => standIn.list<Stripe.WebhookEndpoint>('webhook_endpoint').map((e) => e.id);

beforeAll(async () => {
  db = await createTestDatabase();
  standIn = await StripeStandIn.start({ apiKey: 'sk_test_setupKey1234' });
  old = webhookEndpoint({ api_version: '2020-03-02', url: URL, created: 1_700_000_000 });
  other = webhookEndpoint({ url: 'https://crm.example.com/webhooks/stripe', api_version: '2020-03-02' });
  for (const o of [old, other, portalConfiguration()]) standIn.put(o);
});

afterAll(async () => {
  await standIn.close();
  await db.drop();
  await deleteKeys(prefix);
});

test('dry run → setup → doctor passes with the printed secret → a second run is a no-op → --remove-old', async () => {
  const dry = await setup(['--url', BASE, '--dry-run']);
  expect(dry.code).toBe(0);
  expect(dry.lines[0]).toBe(`setup for ${URL} on api_version ${STRIPE_API_VERSION} (dry run: nothing is changed)`);
  expect(line(dry, 'would create ').map((l) => l.split(':')[0])).toEqual([
    'would create webhook endpoint',
    'would create event destination',
  ]);
  expect(line(dry, `old webhook endpoint ${old.id}: `)).toHaveLength(1);
  expect(line(dry, `skip webhook endpoint ${other.id}: `)).toHaveLength(1);
  expect(writes()).toEqual([]);
  expect(dry.output).not.toContain(OLD_SECRET);

  // PUBLIC_URL instead of --url.
  const first = await setup([], { PUBLIC_URL: BASE });
  expect(first.code).toBe(0);
  const created = standIn
    .list<Stripe.WebhookEndpoint>('webhook_endpoint')
    .find((e) => e.id !== old.id && e.id !== other.id)!;
  expect(created).toMatchObject({
    url: URL,
    api_version: STRIPE_API_VERSION,
    enabled_events: Object.keys(handlers),
    metadata: { managed_by: MANAGED_BY },
    status: 'enabled',
  });
  const [destination] = standIn.list<Stripe.V2.Core.EventDestination>('v2.core.event_destination');
  expect(destination).toMatchObject({
    event_payload: 'thin',
    enabled_events: ['v1.billing.meter.error_report_triggered', 'v1.billing.meter.no_meter_found'],
    metadata: { managed_by: MANAGED_BY },
    webhook_endpoint: { url: URL },
  });
  const secrets = [created.id, destination.id].map((id) => {
    const [printed] = line(first, `secret ${id.startsWith('we_') ? 'webhook endpoint' : 'event destination'} ${id}: `);
    return /(whsec_\w+)/.exec(printed)![1];
  });
  expect(line(first, 'STRIPE_WEBHOOK_SECRET=')).toEqual([
    `STRIPE_WEBHOOK_SECRET=${[OLD_SECRET, ...secrets].join(',')}`,
  ]);
  expect(line(first, `old webhook endpoint ${old.id}: `)).toHaveLength(1);
  // Every write went through the SDK with its idempotency key.
  expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([
    'POST /v1/webhook_endpoints',
    'POST /v2/core/event_destinations',
  ]);
  expect(writes().every((r) => typeof r.headers['idempotency-key'] === 'string')).toBe(true);

  const deployed = line(first, 'STRIPE_WEBHOOK_SECRET=')[0].split('=')[1];
  const doctor = await runCli('doctor', env({ STRIPE_WEBHOOK_SECRET: deployed, PUBLIC_URL: BASE }));
  expect(doctor.lines.filter((l) => !l.startsWith('ok  '))).toEqual([]);
  expect(doctor.code).toBe(0);
  expect(line(doctor, `ok  webhook endpoint ${old.id}: `)[0]).toContain(`superseded by ${created.id}`);

  standIn.resetRequests();
  const second = await setup(['--url', BASE], { STRIPE_WEBHOOK_SECRET: deployed });
  expect(second.code).toBe(0);
  expect(writes()).toEqual([]);
  expect(line(second, `ok  webhook endpoint ${created.id}: `)).toHaveLength(1);
  expect(line(second, `ok  event destination ${destination.id}: `)).toHaveLength(1);
  expect(line(second, 'ok  STRIPE_WEBHOOK_SECRET: nothing new to deploy')).toHaveLength(1);

  const removing = await setup(['--url', BASE, '--remove-old'], { STRIPE_WEBHOOK_SECRET: deployed });
  expect(removing.code).toBe(0);
  expect(line(removing, 'deleted ')).toEqual([
    `deleted webhook endpoint ${old.id}: ${URL}: api_version 2020-03-02, superseded by ${created.id}`,
  ]);
  expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /v1/webhook_endpoints/${old.id}`]);
  expect(endpointIds().sort()).toEqual([created.id, other.id].sort());
  expect(standIn.unexpected).toEqual([]);
}, 120_000);

test('with PUBLIC_URL the doctor knows only that exact URL as this service', async () => {
  const run = await runCli('doctor', env({ PUBLIC_URL: 'https://staging.example.com' }));
  expect(run.code).toBe(1);
  expect(line(run, 'FAIL ').map((l) => l.split(':')[0])).toEqual(['FAIL webhook endpoints', 'FAIL event destination']);
  expect(line(run, 'FAIL webhook endpoints: ')[0]).toContain(
    '(no URL https://staging.example.com/webhooks/stripe) — run `npm run setup`',
  );
}, 60_000);

test('bad input: no URL, a URL that is not http(s), a missing key: a clear line, exit 1, no Stripe call', async () => {
  standIn.resetRequests();
  const cases: Array<[string[], Record<string, string | undefined>, string]> = [
    [[], {}, 'give the public URL: `npm run setup -- --url https://<public host>` (or set PUBLIC_URL)'],
    [['--url', 'billing.example.com'], {}, '--url must be an http(s) URL'],
    [['--url', BASE], { STRIPE_SECRET_KEY: undefined }, 'setup needs valid STRIPE_SECRET_KEY'],
    [['--url', BASE, '--bogus'], {}, "setup failed: Unknown option '--bogus'"],
  ];
  for (const [args, over, message] of cases) {
    const run = await setup(args, over);
    expect(run.code).toBe(1);
    expect(run.output).toContain(message);
  }
  expect(standIn.requests).toEqual([]);
}, 60_000);
