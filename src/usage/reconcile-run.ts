/**
 * `npm run usage:reconcile` and the scheduled reconciliation, wired from the configuration: the
 * comparison (reconcile.ts) and, with `fix`, the whole loop — fixes a killed run left unsent go out
 * first, then the comparison, the fixes it calls for (written, then sent), and a second comparison
 * whose differences are what is left.
 */
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { RateLimiter } from '../lib/rate-limiter';
import type { BackoffOptions } from '../lib/paced-stripe-calls';
import { createMeterStream } from './drain-deps';
import { reconcile, type OutcomeRow, type ReconcileDeps, type ReconcileReport } from './reconcile';
import { fixesFor, sendUnsentFixes, writeFixes, type FixDeps, type FixSpec, type SendReport } from './reconcile-fix';
import { STRIPE_PAST_LIMIT_S } from './window';
import { StripeUsage } from './stripe-usage';

export type ReconcileConfig = Pick<
  Config,
  | 'KEY_PREFIX'
  | 'STRIPE_API_URL'
  | 'STRIPE_METER_RATE_LIMIT_PER_SECOND'
  | 'BACKFILL_RATE_PER_SECOND'
  | 'USAGE_RECONCILE_SETTLE_SECONDS'
>;

export interface Reconciler {
  compare: ReconcileDeps;
  fix: FixDeps;
}

export function createReconciler(
  ctx: { config: ReconcileConfig; dataSource: DataSource; stripe: Stripe; backoff?: BackoffOptions },
  hooks: Pick<FixDeps, 'afterBatchAccepted' | 'now'> = {},
): Reconciler {
  const { config, dataSource, stripe } = ctx;
  return {
    compare: {
      dataSource,
      // Summaries are list calls: the operator jobs' Stripe budget (backfill, replay) applies.
      usage: new StripeUsage({
        stripe,
        limiter: new RateLimiter(config.BACKFILL_RATE_PER_SECOND),
        backoff: ctx.backoff,
      }),
      settleSeconds: config.USAGE_RECONCILE_SETTLE_SECONDS,
      now: hooks.now,
    },
    fix: {
      dataSource,
      stream: createMeterStream(stripe, config.STRIPE_API_URL),
      limiter: new RateLimiter(config.STRIPE_METER_RATE_LIMIT_PER_SECOND),
      keyPrefix: config.KEY_PREFIX,
      ...hooks,
    },
  };
}

/** The contract's default range: the last 35 days (Stripe takes no meter event older). */
export function defaultReconcileRange(nowMs: number): { from: number; to: number } {
  const to = Math.floor(nowMs / 1000);
  return { from: to - STRIPE_PAST_LIMIT_S, to };
}

export interface RunOptions {
  from: number;
  to: number;
  fix?: boolean;
  onDifference?: (row: OutcomeRow, pass: 'before' | 'after') => void;
  onFix?: (fix: FixSpec) => void;
}

export interface RunReport {
  /** Fixes a killed run had left unsent, sent first. */
  leftover?: SendReport;
  before: ReconcileReport;
  fixes?: SendReport & { written: number };
  /** The comparison after the fixes (with `fix`): what still differs. */
  after?: ReconcileReport;
}

export async function runReconciliation(r: Reconciler, opts: RunOptions): Promise<RunReport> {
  const range = { from: opts.from, to: opts.to };
  const differences: OutcomeRow[] = [];
  const compare = (pass: 'before' | 'after') =>
    reconcile(r.compare, {
      ...range,
      onDifference: (row) => {
        if (pass === 'before' && opts.fix) differences.push(row);
        opts.onDifference?.(row, pass);
      },
    });
  if (!opts.fix) return { before: await compare('before') };
  const leftover = await sendUnsentFixes(r.fix);
  const before = await compare('before');
  const specs = fixesFor(differences, before.noMeter);
  const written = await writeFixes(r.fix.dataSource, r.fix.keyPrefix, specs);
  for (const spec of specs) opts.onFix?.(spec);
  const sent = await sendUnsentFixes(r.fix);
  return { leftover, before, fixes: { ...sent, written }, after: await compare('after') };
}
