/**
 * The stand-in's resource table: URL path under /v1 ↔ Stripe object type, the id prefix builders
 * use, whether Stripe has a list endpoint there, and the list filters that compare a field of the
 * object with the query parameter of the same name. One row per route instead of one handler each.
 * A `:customer` segment is a path parameter that filters like `?customer=`.
 */

export interface ResourceSpec {
  /** Path under /v1, e.g. `charges` or `customers/:customer/balance_transactions`. */
  path: string;
  /** Stripe's `object` value. */
  type: string;
  /** Prefix of fresh ids (`ch` → `ch_…`). */
  idPrefix: string;
  /** Stripe has `GET /v1/<path>` (some objects, e.g. mandates, are retrieve-only). */
  list: boolean;
  /** Query parameters compared with the object's field of the same name (ids or expanded objects). */
  filters: string[];
  /** Query parameters Stripe requires on the list call. */
  required?: string[];
  /** Filters with their own rules in ObjectStore (subscription status, event types, …). */
  custom?: boolean;
}

const row = (path: string, type: string, idPrefix: string, filters: string[] = [], list = true): ResourceSpec => ({
  path,
  type,
  idPrefix,
  list,
  filters,
});

export const RESOURCES: ResourceSpec[] = [
  // The mirrored billing objects and events; their filters live in ObjectStore.
  { ...row('customers', 'customer', 'cus'), custom: true },
  { ...row('products', 'product', 'prod'), custom: true },
  { ...row('prices', 'price', 'price'), custom: true },
  { ...row('subscriptions', 'subscription', 'sub'), custom: true },
  { ...row('invoices', 'invoice', 'in'), custom: true },
  { ...row('events', 'event', 'evt'), custom: true },
  row('checkout/sessions', 'checkout.session', 'cs_test', ['customer', 'status', 'subscription', 'payment_intent']),
  // Objects without a typed table (stripe_objects), for refetch and backfill.
  row('charges', 'charge', 'ch', ['customer', 'payment_intent']),
  row('refunds', 'refund', 're', ['charge', 'payment_intent']),
  row('disputes', 'dispute', 'dp', ['charge', 'payment_intent']),
  row('payment_intents', 'payment_intent', 'pi', ['customer']),
  row('payment_methods', 'payment_method', 'pm', ['customer', 'type']),
  row('setup_intents', 'setup_intent', 'seti', ['customer', 'payment_method']),
  row('credit_notes', 'credit_note', 'cn', ['customer', 'invoice']),
  row('subscription_schedules', 'subscription_schedule', 'sub_sched', ['customer']),
  row('coupons', 'coupon', 'coupon'),
  row('promotion_codes', 'promotion_code', 'promo', ['customer', 'coupon', 'code', 'active']),
  row('quotes', 'quote', 'qt', ['customer', 'status']),
  row('tax_rates', 'tax_rate', 'txr', ['active']),
  row('invoiceitems', 'invoiceitem', 'ii', ['customer', 'invoice']),
  row('plans', 'plan', 'plan', ['product', 'active']),
  row('payouts', 'payout', 'po', ['status']),
  row('transfers', 'transfer', 'tr', ['destination']),
  row('balance_transactions', 'balance_transaction', 'txn', ['type', 'source', 'payout']),
  row('reviews', 'review', 'prv'),
  row('tax_ids', 'tax_id', 'txi'),
  row('customers/:customer/tax_ids', 'tax_id', 'txi'),
  row('customers/:customer/balance_transactions', 'customer_balance_transaction', 'cbtxn'),
  row('radar/early_fraud_warnings', 'radar.early_fraud_warning', 'issfr', ['charge', 'payment_intent']),
  row('application_fees', 'application_fee', 'fee', ['charge']),
  row('files', 'file', 'file', ['purpose']),
  row('mandates', 'mandate', 'mandate', [], false),
  row('sources', 'source', 'src', [], false),
  // Listing meters belongs to the account routes (doctor); retrieve is generic.
  row('billing/meters', 'billing.meter', 'mtr', [], false),
  {
    ...row('entitlements/active_entitlements', 'entitlements.active_entitlement', 'ent_test', ['customer']),
    required: ['customer'],
  },
];

/** A request path matched to its resource: the spec, path parameters and the object id (retrieve). */
export interface ResourceMatch {
  spec: ResourceSpec;
  params: Record<string, string>;
  id?: string;
}

const compiled = RESOURCES.map((spec) => {
  const names: string[] = [];
  const pattern = spec.path.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { spec, names, re: new RegExp(`^/v1/${pattern}(?:/([^/]+))?$`) };
});

/** The resource `path` (e.g. `/v1/charges/ch_1`) addresses, or undefined. */
export function matchResource(path: string): ResourceMatch | undefined {
  for (const { spec, names, re } of compiled) {
    const m = re.exec(path);
    if (!m) continue;
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
    const last = m[names.length + 1];
    return { spec, params, id: last === undefined ? undefined : decodeURIComponent(last) };
  }
  return undefined;
}

/** Id prefix of fresh objects of `type` (`obj` when the table does not know the type). */
export function idPrefixOf(type: string): string {
  return RESOURCES.find((r) => r.type === type)?.idPrefix ?? 'obj';
}

/** The object type an id prefix belongs to (`cus_…` → customer), for ids the store has never seen. */
export function typeOfId(id: string): string | undefined {
  const spec = RESOURCES.filter((r) => id.startsWith(`${r.idPrefix}_`)).sort(
    (a, b) => b.idPrefix.length - a.idPrefix.length,
  )[0];
  return spec?.type;
}
