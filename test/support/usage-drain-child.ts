/**
 * A bare drain process for the crash test: one drain with the service's own code, configured from
 * the environment. With CRASH_AFTER_BATCH=n it tells its parent once Stripe accepted batch n (before
 * the ledger write) and then hangs, waiting to be SIGKILLed. Otherwise it sends its UsageDrainResult.
 * CLOCK_OFFSET_MS moves its clock (a drain resumed a simulated day later).
 */
import 'reflect-metadata';
import { createDataSource } from '../../src/db/data-source';
import { loadConfig } from '../../src/config';
import { drainUsage } from '../../src/usage/drain';
import { createDrainDeps } from '../../src/usage/drain-deps';
import { createLogger } from '../../src/logger';
import { createWorkerRedis, redisTarget } from '../../src/runtime/redis';
import { createStripeClient } from '../../src/stripe';

async function main(): Promise<void> {
  const config = loadConfig();
  const crashAfter = process.env.CRASH_AFTER_BATCH === undefined ? undefined : Number(process.env.CRASH_AFTER_BATCH);
  const dataSource = createDataSource(config.DATABASE_URL, { poolSize: 2 });
  await dataSource.initialize();
  const connection = createWorkerRedis(redisTarget(config));
  const stripe = createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL });
  const deps = createDrainDeps(
    { config, connection, dataSource, stripe, log: createLogger(config.LOG_LEVEL) },
    {
      now: () => Date.now() + Number(process.env.CLOCK_OFFSET_MS ?? 0),
      afterBatchAccepted: async (claimId, index) => {
        if (index !== crashAfter) return;
        process.send?.({ crashPoint: { claimId, index } });
        await new Promise(() => undefined); // hang here until the parent kills us
      },
    },
  );
  const result = await drainUsage(deps);
  process.send?.({ result });
  await connection.quit();
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`drain child failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
