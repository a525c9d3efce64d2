/**
 * Resync of one customer (the operator console's `POST /admin/customers/:id/resync`): the customer
 * object, every subscription (status=all, items embedded) and every invoice of it, fetched from
 * Stripe now and applied through events/snapshot.ts: the same advisory lock, watermark rule and
 * access step as backfill (ops/backfill.ts). Each fetch counts as "fetch time −
 * SNAPSHOT_SAFETY_SECONDS", so a row written by an event in the last few minutes is left alone and
 * a resync never moves a row backwards; a same-second tie is refetched, as for any event.
 *
 * A customer Stripe still shows as deleted (its tombstone) is applied as a deletion; a customer
 * Stripe does not know at all (404) changes nothing and says so. Calls are paced by the limiter
 * and back off on 429, as backfill's are.
 */
import type Stripe from 'stripe';
import type { ApplyOutcome, StripeObject } from '../events/handler-types';
import { applySnapshot } from '../events/snapshot';
import { isResourceMissing } from '../stripe';
import { type BackfillDeps, SNAPSHOT_SAFETY_SECONDS } from './backfill';
import { paced } from '../lib/paced-stripe-calls';

export type ResyncDeps = Pick<BackfillDeps, 'stripe' | 'dataSource' | 'log' | 'limiter' | 'backoff' | 'access'>;

export type ResyncedType = 'customer' | 'subscription' | 'invoice';

export interface ResyncedObject {
  type: ResyncedType;
  id: string;
  /** `skipped`: the stored row was as new or newer; `applied`/`refetched`: the row was written. */
  outcome: ApplyOutcome;
}

export interface ResyncReport {
  customer: string;
  /** False when Stripe has no such customer: nothing was applied. */
  found: boolean;
  objects: ResyncedObject[];
}

export interface ResyncOptions {
  safetySeconds?: number;
  now?: () => number;
}

type Page = { data: Array<{ id: string }>; has_more: boolean };
type Lister = (stripe: Stripe, customer: string, params: { limit: number; starting_after?: string }) => Promise<Page>;

/** What is listed after the customer, in this order (the lists filter by customer). */
const LISTS: ReadonlyArray<[ResyncedType, Lister]> = [
  ['subscription', (s, customer, p) => s.subscriptions.list({ ...p, customer, status: 'all' })],
  ['invoice', (s, customer, p) => s.invoices.list({ ...p, customer })],
];

export async function resyncCustomer(
  deps: ResyncDeps,
  customerId: string,
  options: ResyncOptions = {},
): Promise<ResyncReport> {
  const now = options.now ?? Date.now;
  const safety = options.safetySeconds ?? SNAPSHOT_SAFETY_SECONDS;
  const report: ResyncReport = { customer: customerId, found: true, objects: [] };
  // The watermark of what a call returns: when the call was made, minus the safety margin.
  const watermarkNow = () => Math.floor(now() / 1000) - safety;
  const apply = async (type: ResyncedType, object: { id: string }, watermark: number) => {
    const outcome = await applySnapshot(deps, type, object as StripeObject & { id: string }, watermark);
    report.objects.push({ type, id: object.id, outcome });
  };

  let watermark = watermarkNow();
  const customer = await paced(deps.limiter, () => deps.stripe.customers.retrieve(customerId), deps.backoff).catch(
    (error: unknown) => {
      if (isResourceMissing(error)) return null;
      throw new Error(`resync of ${customerId}: Stripe did not answer the customer`, { cause: error });
    },
  );
  if (customer === null) return { ...report, found: false };
  await apply('customer', customer, watermark);
  // Stripe cancels a deleted customer's subscriptions; its tombstone has nothing more to list.
  if (customer.deleted) return report;

  for (const [type, list] of LISTS) {
    let startingAfter: string | undefined;
    for (;;) {
      watermark = watermarkNow();
      const params = { limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) };
      const page = await paced(deps.limiter, () => list(deps.stripe, customerId, params), deps.backoff);
      // One at a time: they share the customer's advisory lock anyway.
      for (const object of page.data) await apply(type, object, watermark);
      startingAfter = page.data.at(-1)?.id;
      if (!page.has_more || startingAfter === undefined) break;
    }
  }
  return report;
}
