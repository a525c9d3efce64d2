/**
 * Builders of realistic invoices (and the id-less upcoming-invoice preview) in any supported API
 * version: the invoice's subscription goes where that version reads it (./versions.ts).
 */
import Stripe from 'stripe';
import { API_VERSION, fixture, merge, now, setPresent, type DeepPartial, type Json } from './fixtures';
import type { VersionOption } from './billing-objects';
import { randomId } from './util';
import { invoiceLineLink, layoutOf, placeInvoiceSubscription } from './versions';

/** `subscription` is the logical link, placed per version (top-level or `parent.subscription_details`). */
export type InvoiceOverrides = DeepPartial<Stripe.Invoice> & { subscription?: string | null };

function statusFields(status: string, t: number): Json {
  return {
    auto_advance: status !== 'paid' && status !== 'void',
    status_transitions: {
      finalized_at: status === 'draft' ? null : t,
      marked_uncollectible_at: status === 'uncollectible' ? t : null,
      paid_at: status === 'paid' ? t : null,
      voided_at: status === 'void' ? t : null,
    },
  };
}

/**
 * An `invoice` (default: open, 2000 usd due, not attempted). At the pinned version `subscription`
 * becomes `parent: { type: 'subscription_details', subscription_details: { subscription } }` (no
 * top-level field); before 2025-03-31.basil it is the top-level `subscription`. A `paid` invoice
 * defaults to amount_paid = amount_due.
 */
export function invoice(overrides: InvoiceOverrides = {}, opts: VersionOption = {}): Stripe.Invoice {
  const { subscription: sub, ...rest } = overrides;
  const layout = layoutOf(opts.apiVersion ?? API_VERSION);
  const inv = fixture('invoice', opts.apiVersion);
  const id = rest.id ?? randomId('in', 24);
  const t = rest.created ?? now();
  const status = String(rest.status ?? 'open');
  const due = rest.amount_due ?? 2000;
  const paid = rest.amount_paid ?? (status === 'paid' ? due : 0);
  const periodStart = rest.period_start ?? t;
  const periodEnd = rest.period_end ?? t;
  const line = merge(((inv.lines as Json).data as Json[])[0], {
    id: randomId('il', 24),
    invoice: id,
    amount: due,
    description: sub ? '1 × Subscription (at $20.00 / month)' : 'Invoice item',
    period: { start: periodStart, end: periodEnd },
  });
  setPresent(line, { subtotal: due, amount_excluding_tax: due });
  Object.assign(
    line,
    invoiceLineLink(sub ?? null, { subscriptionItem: randomId('si', 14), invoiceItem: randomId('ii', 24) }, layout),
  );
  Object.assign(inv, {
    id,
    created: t,
    status,
    amount_due: due,
    amount_paid: paid,
    amount_remaining: Math.max(0, due - paid),
    subtotal: due,
    total: due,
    attempted: false,
    attempt_count: 0,
    billing_reason: sub ? 'subscription_cycle' : 'manual',
    due_date: null,
    last_finalization_error: null,
    next_payment_attempt: null,
    period_start: periodStart,
    period_end: periodEnd,
    webhooks_delivered_at: null,
    ...statusFields(status, t),
    lines: { object: 'list', data: [line], has_more: false, url: `/v1/invoices/${id}/lines` },
  });
  setPresent(inv, {
    amount_overpaid: 0,
    subtotal_excluding_tax: due,
    total_excluding_tax: due,
    effective_at: status === 'draft' ? null : t,
    from_invoice: null,
    shipping_cost: null,
    // Before basil an invoice says whether it is paid in a boolean too.
    paid: status === 'paid',
  });
  placeInvoiceSubscription(inv, sub ?? null, layout);
  return merge(inv, rest) as unknown as Stripe.Invoice;
}

/**
 * The preview `invoice.upcoming` carries: an invoice of status draft without `id` (Stripe has not
 * created it yet), its lines pointing at no invoice.
 */
export function upcomingInvoice(overrides: InvoiceOverrides = {}, opts: VersionOption = {}): Json {
  const inv = invoice({ status: 'draft', ...overrides }, opts) as unknown as Json;
  delete inv.id;
  const lines = inv.lines as Json;
  for (const line of lines.data as Json[]) delete line.invoice;
  lines.url = `/v1/invoices/upcoming/lines?customer=${String(inv.customer)}`;
  setPresent(inv, { hosted_invoice_url: null, invoice_pdf: null, number: null });
  return inv;
}
