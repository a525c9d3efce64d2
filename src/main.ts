/**
 * `npm start`: validate configuration, check PostgreSQL and Redis (one line per unreachable
 * service, exit 1), create the database if missing, apply migrations under an advisory lock,
 * run the roles named by ROLE, and shut down gracefully on SIGTERM/SIGINT.
 */
import 'reflect-metadata';
import { createDataSource } from './db/data-source';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { migrateWithLock } from './db/database';
import { preflight } from './runtime/preflight';
import { redisTarget } from './runtime/redis';
import { startService } from './service';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  // Handlers first: a SIGTERM during start-up (a rollout, /readyz already green with ROLE=all) is
  // kept and honoured once the service is up, so it drains instead of dying mid-start.
  const run: { service?: Awaited<ReturnType<typeof startService>>; requested?: string; stopping: boolean } = {
    stopping: false,
  };
  const shutdown = (signal: string) => {
    const service = run.service;
    if (!service) {
      run.requested ??= signal;
      return;
    }
    if (run.stopping) return;
    run.stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    void service.stop().then(() => {
      log.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const problems = await preflight(config.DATABASE_URL, redisTarget(config));
  if (problems.length) {
    for (const line of problems) process.stderr.write(`${line}\n`);
    process.exit(1);
  }
  const migrations = createDataSource(config.DATABASE_URL, { poolSize: 1 });
  await migrations.initialize();
  const applied = await migrateWithLock(config.DATABASE_URL, migrations);
  await migrations.destroy();
  if (applied.length) log.info({ applied }, 'migrations applied');

  run.service = await startService(config, log);
  log.info({ role: config.ROLE }, 'service started');
  if (run.requested) shutdown(run.requested);
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError ? `${error.message}\n` : `start-up failed: ${(error as Error).stack ?? error}\n`,
  );
  process.exit(1);
});
