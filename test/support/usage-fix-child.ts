/**
 * A bare `usage:reconcile --fix` process for the crash test: the service's own reconciliation, configured
 * from the environment. With CRASH_AFTER_FIX_BATCH=n it tells its parent once Stripe accepted fix
 * batch n (before it is marked accepted) and hangs until SIGKILLed; otherwise it sends its report.
 */
import 'reflect-metadata';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { createStripeClient } from '../../src/stripe';
import { createReconciler, defaultReconcileRange, runReconciliation } from '../../src/usage/reconcile-run';

async function main(): Promise<void> {
  const config = loadConfig();
  const crashAfter =
    process.env.CRASH_AFTER_FIX_BATCH === undefined ? undefined : Number(process.env.CRASH_AFTER_FIX_BATCH);
  const dataSource = createDataSource(config.DATABASE_URL, { poolSize: 2 });
  await dataSource.initialize();
  const stripe = createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL });
  const reconciler = createReconciler(
    { config, dataSource, stripe },
    {
      afterBatchAccepted: async (index) => {
        if (index !== crashAfter) return;
        process.send?.({ crashed: index });
        await new Promise(() => undefined); // hang here until the parent kills us
      },
    },
  );
  const report = await runReconciliation(reconciler, { ...defaultReconcileRange(Date.now()), fix: true });
  process.send?.({ fixes: report.fixes });
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`fix child failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
