/**
 * Everything one drain needs (drain.ts `DrainDeps`), built from the configuration: the usage
 * store, the meter event stream with its own session clients, the rate limiter, the ledger's
 * database, and Stripe's summaries for a claim resumed late. Used by the worker role and by a bare drain process (tests that kill one).
 */
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { RateLimiter } from '../lib/rate-limiter';
import type { Logger } from '../logger';
import type { RedisConnection } from '../runtime/redis';
import { createStripeClient } from '../stripe';
import type { DrainDeps } from './drain';
import { MeterStream } from './meter-stream';
import { StripeUsage } from './stripe-usage';
import { UsageStore } from './usage-store';

export type UsageDrainConfig = Pick<
  Config,
  | 'KEY_PREFIX'
  | 'STRIPE_SECRET_KEY'
  | 'STRIPE_API_URL'
  | 'USAGE_FLUSH_INTERVAL_MS'
  | 'USAGE_FLUSH_THRESHOLD'
  | 'USAGE_WINDOW_SECONDS'
  | 'USAGE_THRESHOLD_CHECK_MS'
  | 'STRIPE_METER_RATE_LIMIT_PER_SECOND'
  | 'USAGE_INVOICE_FLUSH_DELAY_MS'
  | 'BACKFILL_RATE_PER_SECOND'
  | 'USAGE_RECONCILE_SETTLE_SECONDS'
>;

export interface UsageDrainContext {
  config: UsageDrainConfig;
  connection: RedisConnection;
  dataSource: DataSource;
  stripe: Stripe;
  log: Logger;
}

export function createDrainDeps(
  deps: UsageDrainContext,
  hooks: Pick<DrainDeps, 'afterBatchAccepted' | 'now'> = {},
): DrainDeps {
  const { config } = deps;
  return {
    store: new UsageStore(deps.connection, config.KEY_PREFIX),
    dataSource: deps.dataSource,
    stream: createMeterStream(deps.stripe, config.STRIPE_API_URL),
    limiter: new RateLimiter(config.STRIPE_METER_RATE_LIMIT_PER_SECOND),
    log: deps.log.child({ component: 'usage-drain' }),
    keyPrefix: config.KEY_PREFIX,
    windowSeconds: config.USAGE_WINDOW_SECONDS,
    // Summaries are list calls: the operator jobs' Stripe budget applies (as reconciliation's).
    late: {
      usage: new StripeUsage({ stripe: deps.stripe, limiter: new RateLimiter(config.BACKFILL_RATE_PER_SECOND) }),
      settleSeconds: config.USAGE_RECONCILE_SETTLE_SECONDS,
    },
    ...hooks,
  };
}

/** The meter event stream of the configured client; its session clients reach the same host. */
export function createMeterStream(stripe: Stripe, apiUrl: string | undefined): MeterStream {
  return new MeterStream({
    stripe,
    sessionClient: (token) => createStripeClient({ secretKey: token, apiUrl, maxNetworkRetries: 3 }),
  });
}
