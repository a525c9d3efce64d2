/**
 * `npm run setup -- --url https://<public host> [--dry-run] [--remove-old]`: makes the Stripe account
 * ready for this deployment (a webhook endpoint on the engine's API version, the thin event destination
 * for meter errors) and prints the STRIPE_WEBHOOK_SECRET to deploy. `--url` defaults to PUBLIC_URL.
 * The work is in src/ops/setup/; docs/deploy.md ("The Stripe side") says what each line means.
 */
import { parseArgs } from 'node:util';
import { runSetup, SetupInputError } from '../ops/setup/run';
import { stripeErrorText } from '../ops/doctor/fetch-stripe';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'remove-old': { type: 'boolean' } },
  });
  return runSetup(
    { url: values.url, dryRun: values['dry-run'] ?? false, removeOld: values['remove-old'] ?? false },
    (line) => console.log(line),
  );
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    // What was done before the failure is printed above; running setup again picks up from there.
    console.error(error instanceof SetupInputError ? error.message : `setup failed: ${stripeErrorText(error)}`);
    process.exit(1);
  });
