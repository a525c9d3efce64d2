/** Helpers for the usage (flow B) tests: raw counter writes and what reached the Stripe stand-in. */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { customerKeys, DRAIN_NAMESPACES, encodeField, usageKeys } from '../../src/usage/keys';
import { windowStart } from '../../src/usage/window';
import type { StripeStandIn } from '../../stand-in/index';
import { TEST_REDIS_URL } from './redis';
import type { TestService } from './service';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A plain ioredis connection, as a product service in any language would use. */
export function rawRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { lazyConnect: false });
}

/** The documented one-command increment (HINCRBY on the pending hash of the customer's shard). */
export function rawIncrement(
  redis: Redis,
  prefix: string,
  customer: string,
  meter: string,
  value: number,
  at = nowSeconds(),
  windowSeconds = 3600,
) {
  return redis.hincrby(
    customerKeys(prefix, customer).pending,
    encodeField({ customer, meter, windowStart: windowStart(at, windowSeconds) }),
    value,
  );
}

/** Sum per `customer|meter` of the stand-in's accepted meter events, as a plain object. */
export function standInTotals(standIn: StripeStandIn): Record<string, number> {
  return Object.fromEntries(standIn.meterTotals());
}

/** Adds `value` to `totals[customer|meter]`. */
export function add(totals: Record<string, number>, customer: string, meter: string, value: number): void {
  const key = `${customer}|${meter}`;
  totals[key] = (totals[key] ?? 0) + value;
}

/** Meter event stream requests the stand-in accepted (a 401 for a token of a reset stand-in is not one). */
export const streamRequests = (standIn: StripeStandIn): number =>
  standIn.countRequests((r) => r.method === 'POST' && r.path === '/v2/billing/meter_event_stream' && r.status === 200);

const everyNamespace = (prefix: string) => DRAIN_NAMESPACES.map((ns) => usageKeys(prefix, ns));

/** Every pending cell of every shard (and the legacy namespace), as one object. */
export async function pendingCells(redis: Redis, prefix: string): Promise<Record<string, string>> {
  const all = await Promise.all(everyNamespace(prefix).map((k) => redis.hgetall(k.pending)));
  return Object.assign({}, ...all) as Record<string, string>;
}

/** Removes every pending cell. */
export async function clearPending(redis: Redis, prefix: string): Promise<void> {
  await redis.del(...everyNamespace(prefix).map((k) => k.pending));
}

/** The open claim ids of every shard. */
export async function openClaims(redis: Redis, prefix: string): Promise<string[]> {
  return (await Promise.all(everyNamespace(prefix).map((k) => redis.zrange(k.claims, 0, -1)))).flat();
}

/** The waiting invoice-flush requests of every shard. */
export async function flushMembers(redis: Redis, prefix: string): Promise<string[]> {
  return (await Promise.all(everyNamespace(prefix).map((k) => redis.smembers(k.flush)))).flat();
}

export type DrainChildMessage = {
  crashPoint?: { claimId: string; index: number };
  result?: { claims: number; events: number; value: number; requests: number; skipped: number };
};

/** What every engine child process of these tests needs: `t`'s database, Redis prefix and stand-in, quiet logs. */
const childEnv = (t: TestService): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  DATABASE_URL: t.db.url,
  REDIS_URL: t.config.REDIS_URL,
  KEY_PREFIX: t.prefix,
  STRIPE_SECRET_KEY: 'sk_test_standin',
  STRIPE_WEBHOOK_SECRET: 'whsec_unused',
  STRIPE_API_URL: t.standIn.url,
  STRIPE_METER_RATE_LIMIT_PER_SECOND: '1000',
  BACKFILL_RATE_PER_SECOND: '100',
  LOG_LEVEL: 'silent',
});

/** Runs one drain in a child process (usage-drain-child.ts) against `t`'s database, Redis and stand-in; `kill` SIGKILLs it. */
export function runDrainChild(
  t: TestService,
  env: Record<string, string>,
  onMessage: (m: DrainChildMessage, kill: () => void) => void,
): Promise<{ code: number | null; signal: string | null }> {
  const child = fork(join(__dirname, 'usage-drain-child.ts'), [], {
    execArgv: ['-r', join(__dirname, 'ts-register.js')],
    env: { ...childEnv(t), ROLE: 'worker', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('message', (m) => onMessage(m as DrainChildMessage, () => child.kill('SIGKILL')));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

/** The environment of `npm run usage:reconcile` (runCli) against `t`'s services; settle time 0 unless given. */
export const reconcileEnv = (t: TestService, env: Record<string, string> = {}): Record<string, string> => ({
  ...childEnv(t),
  USAGE_RECONCILE_SETTLE_SECONDS: '0',
  ...env,
});
