/**
 * entitlements.active_entitlement_summary.updated → customer_entitlements. The summary has no
 * `id`: it is the customer's whole active set, so each newer summary replaces the set, under a
 * per-customer watermark kept in entitlement_summaries (same rule as every mirror: older skipped,
 * same second refetched). A summary with `has_more` only starts the list: the rest is listed
 * from Stripe (`GET /v1/entitlements/active_entitlements?customer=`).
 */
import type Stripe from 'stripe';
import { z } from 'zod';
import { placeholderRows } from '../../db/sql';
import type { Literal, Statement } from '../../db/transaction';
import type { EventHandler, HandlerContext, HandlerDecision } from '../handler-types';
import { decideWrite } from '../watermark';
import { parseObject, stripeRef } from './parse';
import { readStripe } from './refetch';

const entitlementSchema = z.object({ id: z.string().min(1), feature: stripeRef, lookup_key: z.string().min(1) });

const summarySchema = z.object({
  object: z.literal('entitlements.active_entitlement_summary'),
  customer: z.string().startsWith('cus_'),
  entitlements: z.object({ data: z.array(entitlementSchema), has_more: z.boolean().nullish() }),
});

export interface ActiveEntitlement {
  id: string;
  feature: string;
  lookupKey: string;
}

export function mapEntitlementSummary(object: unknown): {
  customer: string;
  entitlements: ActiveEntitlement[];
  complete: boolean;
} {
  const s = parseObject(summarySchema, object, 'entitlement summary');
  const entitlements = s.entitlements.data.map((e) => ({ id: e.id, feature: e.feature, lookupKey: e.lookup_key }));
  return { customer: s.customer, entitlements, complete: !s.entitlements.has_more };
}

/** The statements that make `customer`'s stored set exactly `entitlements`, at `watermark`. */
export function replaceEntitlementsStatements(
  customer: string,
  entitlements: readonly ActiveEntitlement[],
  watermark: number,
): Statement[] {
  const statements: Statement[] = [
    { sql: 'DELETE FROM "customer_entitlements" WHERE "stripe_customer_id" = $1', values: [customer] },
  ];
  // A feature listed twice (never by Stripe, but cheap to tolerate) is stored once.
  const unique = [...new Map(entitlements.map((e) => [e.feature, e])).values()];
  if (unique.length > 0) {
    statements.push({
      sql: `INSERT INTO "customer_entitlements" ("stripe_customer_id", "stripe_feature_id", "lookup_key", "stripe_entitlement_id") VALUES ${placeholderRows(unique.length, 4)}`,
      values: unique.flatMap((e): Literal[] => [customer, e.feature, e.lookupKey, e.id]),
    });
  }
  statements.push({
    sql: `INSERT INTO "entitlement_summaries" ("stripe_customer_id", "watermark") VALUES ($1, $2)
      ON CONFLICT ("stripe_customer_id") DO UPDATE SET "watermark" = EXCLUDED."watermark", "updated_at" = now()`,
    values: [customer, watermark],
  });
  return statements;
}

async function listAll(stripe: Stripe, customer: string): Promise<ActiveEntitlement[]> {
  const listed = await stripe.entitlements.activeEntitlements
    .list({ customer, limit: 100 })
    .autoPagingToArray({ limit: 10_000 });
  return listed.map((e) => ({
    id: e.id,
    feature: typeof e.feature === 'string' ? e.feature : e.feature.id,
    lookupKey: e.lookup_key,
  }));
}

async function decide(ctx: HandlerContext): Promise<HandlerDecision> {
  const { event } = ctx;
  const summary = mapEntitlementSummary(event.data.object);
  const stored = ctx.lockedRows[0] ? { watermark: Number(ctx.lockedRows[0].watermark), deleted: false } : null;
  const decision = decideWrite(stored, { created: event.created, deletion: false });
  if (decision === 'skip') return { outcome: 'skipped', writes: [] };
  let entitlements = summary.entitlements;
  // A tie, or a list the summary only started: Stripe's current list is the truth.
  if (decision === 'refetch' || !summary.complete) {
    const reason = decision === 'refetch' ? 'tie' : 'list';
    entitlements = await readStripe(ctx, reason, `entitlements of ${summary.customer} need a list`, () =>
      listAll(ctx.stripe, summary.customer),
    );
  }
  const outcome = entitlements === summary.entitlements ? 'applied' : 'refetched';
  return { outcome, writes: replaceEntitlementsStatements(summary.customer, entitlements, event.created) };
}

export const entitlementHandlers = {
  'entitlements.active_entitlement_summary.updated': {
    lockedRead: (_dataSource, object) => ({
      sql: 'SELECT "watermark" FROM "entitlement_summaries" WHERE "stripe_customer_id" = $1 FOR UPDATE',
      values: [mapEntitlementSummary(object).customer],
    }),
    decide,
  },
} satisfies Record<string, EventHandler>;
