/** Child-process entry of the access ceiling: PORT and ACCESS_ANSWERS (a JSON file) from the env. */
import { listenAccessCeiling, readAnswers } from './access-ceiling';

listenAccessCeiling(readAnswers(process.env.ACCESS_ANSWERS ?? ''), Number(process.env.PORT ?? 0)).then(
  (server) =>
    process.on('SIGTERM', () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    }),
  (error: Error) => {
    console.error(`access ceiling failed to start: ${error.message}`);
    process.exit(1);
  },
);
