/** Helpers for the usage (flow B) tests: raw counter writes and what reached the Stripe stand-in. */
import { Redis } from 'ioredis';
import { encodeField, usageKeys } from '../../src/usage/keys';
import { windowStart } from '../../src/usage/window';
import type { StripeStandIn } from '../../stand-in/index';
import { TEST_REDIS_URL } from './redis';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A plain ioredis connection, as a product service in any language would use. */
export function rawRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { lazyConnect: false });
}

/** The documented one-command increment (HINCRBY on the pending hash). */
export function rawIncrement(redis: Redis, prefix: string, customer: string, meter: string, value: number, at = nowSeconds(), windowSeconds = 3600) {
  return redis.hincrby(usageKeys(prefix).pending, encodeField({ customer, meter, windowStart: windowStart(at, windowSeconds) }), value);
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
