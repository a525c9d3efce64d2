/** Child-process entry of the verify-only baseline: PORT and STRIPE_WEBHOOK_SECRET from the env. */
import { listenVerifyOnly } from './verify-only';

const secret = process.env.STRIPE_WEBHOOK_SECRET ?? '';
listenVerifyOnly(secret, Number(process.env.PORT ?? 0)).then(
  (server) =>
    process.on('SIGTERM', () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    }),
  (error: Error) => {
    console.error(`verify-only baseline failed to start: ${error.message}`);
    process.exit(1);
  },
);
