/**
 * The world every `npm run doctor` test runs in: the real CLI in a child process (test/support/cli.ts)
 * against a Stripe stand-in, the calling file's own migrated database and Redis prefix, with usage
 * counted for three meters (pending and claimed in Redis, sent in the ledger). Call `doctorWorld()`
 * at the top of a test file: it registers the hooks.
 */
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { STRIPE_API_VERSION } from '../../../src/stripe';
import { customerKeys, encodeField } from '../../../src/usage/keys';
import {
  billingMeter,
  eventDestination,
  portalConfiguration,
  webhookEndpoint,
} from '../../../stand-in/account-objects';
import { StripeStandIn } from '../../../stand-in/index';
import { createTestDatabase, TestDatabase } from '../../support/postgres';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../../support/redis';
import { CliRun, runCli } from '../../support/cli';

export const TEST_KEY = 'sk_test_doctorKey1234abcd';
export const LIVE_KEY = 'sk_live_doctorKey5678wxyz';
export const WEBHOOK_SECRET = 'whsec_doctorSecret9876';

export interface DoctorWorld {
  readonly db: TestDatabase;
  readonly standIn: StripeStandIn;
  readonly prefix: string;
  /** Runs `npm run doctor`'s CLI with this world's services and `env` on top. */
  doctor(env?: Record<string, string | undefined>): Promise<CliRun>;
  /** Endpoint, destination, meters for every counted name, portal configuration: everything a deployment needs. */
  putRightSetup(livemode?: boolean): void;
}

export function doctorWorld(): DoctorWorld {
  let db: TestDatabase;
  let standIn: StripeStandIn;
  const prefix = testPrefix();
  beforeAll(async () => {
    db = await createTestDatabase();
    standIn = await StripeStandIn.start();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = customerKeys(prefix, 'cus_doctor1');
    const field = (meter: string) => encodeField({ customer: 'cus_doctor1', meter, windowStart: 1767225600 });
    await redis.hincrby(keys.pending, field('api_calls'), 5);
    await redis.hincrby(keys.claim('c1'), field('searches'), 2);
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
  return {
    get db() {
      return db;
    },
    get standIn() {
      return standIn;
    },
    prefix,
    doctor: (env = {}) =>
      runCli('doctor', {
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        KEY_PREFIX: prefix,
        STRIPE_SECRET_KEY: TEST_KEY,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_URL: standIn.url,
        ...env,
      }),
    putRightSetup: (livemode = false) => {
      standIn.put(webhookEndpoint({ api_version: STRIPE_API_VERSION, livemode }));
      standIn.put(
        webhookEndpoint({ url: 'https://other.example.com/hooks', enabled_events: ['charge.failed'], livemode }),
      );
      standIn.put(eventDestination({ livemode }));
      for (const event_name of ['api_calls', 'tokens', 'searches']) standIn.put(billingMeter({ event_name, livemode }));
      standIn.put(portalConfiguration({ livemode }));
    },
  };
}
