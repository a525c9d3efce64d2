/**
 * Where each API version puts the fields whose place changed: pure functions the builders call
 * after filling the logical fields, so one lifecycle renders in any supported version.
 * 2025-03-31.basil moved `current_period_start/end` from the subscription onto its items and the
 * invoice's subscription from top-level `subscription` to `parent.subscription_details.subscription`.
 */
import type { ApiVersion, Json } from './fixtures';

/** The places that differ between the supported versions. */
export interface VersionLayout {
  /** Subscription period: on the subscription (before basil) or on each item. */
  periodOn: 'subscription' | 'items';
  /** Invoice → subscription: top-level `subscription` (before basil) or `parent.subscription_details`. */
  invoiceSubscription: 'top-level' | 'parent';
  /** 2020-08-27 dropped the subscription's single-plan `plan`/`quantity` fields. */
  subscriptionPlanFields: boolean;
}

const BASIL = '2025-03-31';

/** The layout of `version` (versions compare as dates: `YYYY-MM-DD[.name]`). */
export function layoutOf(version: ApiVersion): VersionLayout {
  const preBasil = version.slice(0, 10) < BASIL;
  return {
    periodOn: preBasil ? 'subscription' : 'items',
    invoiceSubscription: preBasil ? 'top-level' : 'parent',
    subscriptionPlanFields: version.slice(0, 10) < '2020-08-27',
  };
}

function itemsOf(sub: Json): Json[] {
  return ((sub.items as Json | undefined)?.data as Json[] | undefined) ?? [];
}

/**
 * Moves the period the builder put on every item to where `layout` wants it. Before basil all items
 * share the subscription's period, so the first item's period becomes the subscription's.
 */
export function placeSubscriptionPeriod(sub: Json, layout: VersionLayout): Json {
  const items = itemsOf(sub);
  if (layout.periodOn === 'items') {
    delete sub.current_period_start;
    delete sub.current_period_end;
    return sub;
  }
  sub.current_period_start = items[0]?.current_period_start ?? sub.start_date;
  sub.current_period_end = items[0]?.current_period_end ?? sub.start_date;
  for (const item of items) {
    delete item.current_period_start;
    delete item.current_period_end;
  }
  return sub;
}

/** The single-plan `plan` and `quantity` of pre-2020-08-27 subscriptions: set for one item, else null. */
export function placeSubscriptionPlan(sub: Json, layout: VersionLayout): Json {
  if (!layout.subscriptionPlanFields) return sub;
  const items = itemsOf(sub);
  const single = items.length === 1 ? items[0] : undefined;
  sub.plan = single?.plan ?? null;
  sub.quantity = single?.quantity ?? null;
  return sub;
}

/** Puts the invoice's subscription id (or null) where `layout` reads it. */
export function placeInvoiceSubscription(inv: Json, subscription: string | null, layout: VersionLayout): Json {
  if (layout.invoiceSubscription === 'parent') {
    delete inv.subscription;
    inv.parent = subscription
      ? { type: 'subscription_details', quote_details: null, subscription_details: { metadata: {}, subscription } }
      : null;
    return inv;
  }
  delete inv.parent;
  inv.subscription = subscription;
  return inv;
}

/** The invoice line of one subscription item (or of an invoice item when `subscription` is null). */
export function invoiceLineLink(
  subscription: string | null,
  ids: { subscriptionItem: string; invoiceItem: string },
  layout: VersionLayout,
): Json {
  if (layout.invoiceSubscription === 'top-level') {
    return subscription
      ? {
          type: 'subscription',
          subscription,
          subscription_item: ids.subscriptionItem,
          invoice_item: null,
          proration: false,
        }
      : {
          type: 'invoiceitem',
          subscription: null,
          subscription_item: null,
          invoice_item: ids.invoiceItem,
          proration: false,
        };
  }
  const proration = { proration: false, proration_details: { credited_items: null } };
  return {
    subscription: subscription ?? null,
    parent: subscription
      ? {
          type: 'subscription_item_details',
          invoice_item_details: null,
          subscription_item_details: {
            invoice_item: null,
            ...proration,
            subscription,
            subscription_item: ids.subscriptionItem,
          },
        }
      : {
          type: 'invoice_item_details',
          subscription_item_details: null,
          invoice_item_details: { invoice_item: ids.invoiceItem, ...proration, subscription: null },
        },
  };
}
