/**
 * The access rule (contract.md), as one pure decision:
 * a customer has access when at least one subscription is `active` or `trialing` and none of
 * its invoices has a failed payment still unpaid beyond the grace period. Every other
 * subscription status gives no access.
 */
export interface AccessSubscription {
  status: string;
}

export interface AccessInvoice {
  stripeId: string;
  /** Unix second the invoice was first seen failing and unpaid; null when it is not. */
  paymentFailedAt: number | null;
}

export interface AccessInput {
  known: boolean;
  subscriptions: AccessSubscription[];
  invoices: AccessInvoice[];
  nowSeconds: number;
  graceSeconds: number;
}

export interface AccessDecision {
  access: boolean;
  status: string | null;
  reason: string;
}

const GRANTING = ['active', 'trialing'];
// When several subscriptions exist, report the one that matters most to access.
const STATUS_RANK = [
  'active',
  'trialing',
  'past_due',
  'unpaid',
  'paused',
  'incomplete',
  'incomplete_expired',
  'canceled',
];

export function representativeStatus(subscriptions: AccessSubscription[]): string | null {
  const rank = (s: string) => (STATUS_RANK.includes(s) ? STATUS_RANK.indexOf(s) : STATUS_RANK.length);
  const sorted = subscriptions.map((s) => s.status).sort((a, b) => rank(a) - rank(b));
  return sorted[0] ?? null;
}

/** What the mirror holds about one customer: the row (null when unknown), its subscriptions and open invoices. */
export interface CustomerRows {
  customer: { deleted: boolean } | null;
  subscriptions: AccessSubscription[];
  invoices: AccessInvoice[];
}

/** The access answer of one customer from its rows: a deleted customer never has access. */
export function accessOf(rows: CustomerRows, nowSeconds: number, graceSeconds: number): AccessDecision {
  if (rows.customer?.deleted) return { access: false, status: null, reason: 'customer_deleted' };
  return decideAccess({
    known: rows.customer !== null,
    subscriptions: rows.subscriptions,
    invoices: rows.invoices,
    nowSeconds,
    graceSeconds,
  });
}

/**
 * When an answer of `true` inside a grace period turns `false` by time alone: the earliest
 * failing invoice's failure second plus the grace. Null when no clock is running.
 */
export function graceEndsAt(
  decision: AccessDecision,
  invoices: readonly AccessInvoice[],
  graceSeconds: number,
): number | null {
  if (!decision.access) return null;
  const failing = invoices.map((i) => i.paymentFailedAt).filter((t): t is number => t !== null);
  return failing.length === 0 ? null : Math.min(...failing) + graceSeconds;
}

export function decideAccess(input: AccessInput): AccessDecision {
  const status = representativeStatus(input.subscriptions);
  if (!input.known && input.subscriptions.length === 0) return { access: false, status, reason: 'unknown_customer' };
  if (status === null) return { access: false, status, reason: 'no_subscription' };
  if (!GRANTING.includes(status)) return { access: false, status, reason: `subscription_${status}` };
  const overdue = input.invoices.find(
    (i) => i.paymentFailedAt !== null && input.nowSeconds >= i.paymentFailedAt + input.graceSeconds,
  );
  if (overdue) return { access: false, status, reason: `payment_failed:${overdue.stripeId}` };
  const inGrace = input.invoices.some((i) => i.paymentFailedAt !== null);
  return { access: true, status, reason: inGrace ? 'payment_failed_in_grace_period' : `subscription_${status}` };
}
