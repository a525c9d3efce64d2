/**
 * What the operator commands share: the same configuration as `npm start`, the database created
 * and migrated if needed, a Stripe client, and a logger that keeps stdout for the progress lines.
 */
import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import type Stripe from 'stripe';
import { createDataSource } from '../db/data-source';
import { Config, ConfigError, loadConfig } from '../config';
import { createLogger, Logger } from '../logger';
import { ensureDatabase, migrateWithLock } from '../db/database';
import { createStripeClient } from '../stripe';

export interface OpsContext {
  config: Config;
  dataSource: DataSource;
  stripe: Stripe;
  log: Logger;
}

export async function openOpsContext(): Promise<OpsContext> {
  const config = loadConfig();
  await ensureDatabase(config.DATABASE_URL);
  const dataSource = createDataSource(config.DATABASE_URL, { poolSize: 10 });
  await dataSource.initialize();
  await migrateWithLock(config.DATABASE_URL, dataSource);
  const stripe = createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL });
  // Warnings and errors only: the command prints its own progress on stdout.
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  return { config, dataSource, stripe, log };
}

/** Prints a one-line reason and exits non-zero (configuration problems listed one per line). */
export function fail(command: string, error: unknown): never {
  console.error(error instanceof ConfigError ? error.message : `${command} failed: ${(error as Error).message}`);
  process.exit(1);
}
