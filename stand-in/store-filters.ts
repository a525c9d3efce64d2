/**
 * List filters of the Stripe stand-in: `created` ranges, the rules of the mirrored billing objects
 * (subscriptions hide canceled ones unless `status=all`, …) and plain field equality for the rest.
 */
import { isRecord, refId, type StripeObject } from './util';

/** A stored object and the customer it was put for (entitlements carry no `customer` field). */
export interface Stored {
  obj: StripeObject;
  owner?: string;
}

export type Check = (s: Stored) => boolean;

export function created(o: StripeObject): number {
  return typeof o.created === 'number' ? o.created : 0;
}

/** `created=N` or `created[gt|gte|lt|lte]=N`. */
export function createdFilter(spec: unknown): Check {
  if (!isRecord(spec)) return ({ obj }) => created(obj) === Number(spec);
  const bound = (k: string): number | undefined => (spec[k] === undefined ? undefined : Number(spec[k]));
  const [gt, gte, lt, lte] = [bound('gt'), bound('gte'), bound('lt'), bound('lte')];
  return ({ obj }) => {
    const c = created(obj);
    return (
      (gt === undefined || c > gt) &&
      (gte === undefined || c >= gte) &&
      (lt === undefined || c < lt) &&
      (lte === undefined || c <= lte)
    );
  };
}

/** Event `type` filter; Stripe allows a trailing wildcard such as `invoice.*`. */
export function typeMatcher(types: string[]): Check {
  return ({ obj }) =>
    types.some((t) => (t.endsWith('*') ? String(obj.type).startsWith(t.slice(0, -1)) : obj.type === t));
}

/** `?param=value` for each of `params`: the object's field (an id, an expanded object or a scalar) equals value. */
export function fieldFilters(params: string[], query: Record<string, unknown>): Check[] {
  return params
    .filter((p) => typeof query[p] === 'string')
    .map((p) => (s: Stored) => {
      // Objects put for a customer (entitlements) answer `customer` by that owner.
      const v = p === 'customer' && s.owner !== undefined ? s.owner : (refId(s.obj[p]) ?? String(s.obj[p]));
      return v === query[p];
    });
}

/** The filters of the mirrored billing objects, as Stripe applies them. */
export function billingFilters(type: string, p: Record<string, unknown>): Check[] {
  switch (type) {
    case 'customer':
      return fieldFilters(['email'], p);
    case 'product':
    case 'price': {
      const checks = fieldFilters(['active', 'product', 'type'], p);
      if (Array.isArray(p.ids)) checks.push(({ obj }) => (p.ids as unknown[]).includes(obj.id));
      return checks;
    }
    case 'subscription': {
      const checks = fieldFilters(['customer'], p);
      const status = typeof p.status === 'string' ? p.status : undefined;
      if (status !== 'all')
        checks.push(status ? ({ obj }) => obj.status === status : ({ obj }) => obj.status !== 'canceled');
      if (typeof p.price === 'string') checks.push(({ obj }) => itemPriceIds(obj).includes(p.price as string));
      return checks;
    }
    case 'invoice': {
      const checks = fieldFilters(['customer', 'status'], p);
      if (typeof p.subscription === 'string') checks.push(({ obj }) => invoiceSubscription(obj) === p.subscription);
      return checks;
    }
    default:
      return [];
  }
}

function itemPriceIds(sub: StripeObject): string[] {
  const items = isRecord(sub.items) && Array.isArray(sub.items.data) ? sub.items.data : [];
  return items.map((it) => (isRecord(it) ? refId(it.price) : undefined)).filter((x): x is string => !!x);
}

/** Invoice → subscription id: `parent.subscription_details.subscription` (API ≥ 2025-03-31), else top-level `subscription`. */
export function invoiceSubscription(inv: Record<string, unknown>): string | undefined {
  const parent = inv.parent;
  if (isRecord(parent) && isRecord(parent.subscription_details)) return refId(parent.subscription_details.subscription);
  return refId(inv.subscription);
}
