/**
 * invoice.* → invoices. Besides the cached fields it records when the invoice was first seen
 * failing: attempted, still open (or uncollectible) and money still owed. That is derived from
 * the object, not the event type, so any order of events, a refetch or a backfill agree.
 */
import { z } from 'zod';
import { Invoice } from '../../entities';
import type { AfterCommitRequest } from '../handler-types';
import { Mirror, MirrorFields, mirrorHandlers } from '../mirror-write';
import { customerOf, parseObject, stripeRef } from './parse';
import { retrieveOrDeleted } from './refetch';

const invoiceSchema = z.object({
  id: z.string().startsWith('in_'),
  object: z.literal('invoice'),
  customer: stripeRef,
  status: z.string().nullish(),
  amount_due: z.number().int(),
  amount_paid: z.number().int(),
  amount_remaining: z.number().int(),
  currency: z.string().min(3),
  attempted: z.boolean(),
  period_start: z.number().int().nullish(),
  period_end: z.number().int().nullish(),
  // Where the invoice's subscription is: `parent.subscription_details` since 2025-03-31.basil,
  // the top-level `subscription` before (events rendered in an older API version).
  parent: z.object({ subscription_details: z.object({ subscription: stripeRef.nullish() }).nullish() }).nullish(),
  subscription: stripeRef.nullish(),
});

type ParsedInvoice = z.infer<typeof invoiceSchema>;

/** The invoice's subscription, whichever API version's shape the invoice has. */
export const invoiceSubscription = (i: ParsedInvoice): string | null =>
  i.parent?.subscription_details?.subscription ?? i.subscription ?? null;

/** A payment was tried, failed, and the invoice still wants money. */
export function isFailingUnpaid(i: { attempted: boolean; status: string | null; amountRemaining: number }): boolean {
  return i.attempted && (i.status === 'open' || i.status === 'uncollectible') && i.amountRemaining > 0;
}

/** Maps an invoice; `paymentFailedAt` keeps the first second it was seen failing (the grace clock). */
export function mapInvoice(
  object: unknown,
  stored: Pick<Invoice, 'paymentFailedAt'> | null,
  created: number,
): MirrorFields<Invoice> {
  const i = parseObject(invoiceSchema, object, 'invoice');
  const fields = {
    stripeId: i.id,
    stripeCustomerId: i.customer,
    stripeSubscriptionId: invoiceSubscription(i),
    status: i.status ?? null,
    amountDue: i.amount_due,
    amountPaid: i.amount_paid,
    amountRemaining: i.amount_remaining,
    currency: i.currency,
    attempted: i.attempted,
    periodStart: i.period_start ?? null,
    periodEnd: i.period_end ?? null,
  };
  const failing = isFailingUnpaid(fields);
  return { ...fields, paymentFailedAt: failing ? (stored?.paymentFailedAt ?? created) : null };
}

export const invoiceMirror: Mirror<Invoice> = {
  accessCustomer: customerOf,
  spec: {
    entity: Invoice,
    toRow: mapInvoice,
    refetch: (ctx, id) => retrieveOrDeleted(() => ctx.stripe.invoices.retrieve(id)),
  },
};

/** `invoice.created` of a subscription asks for that customer's usage to be flushed onto the draft. */
export function usageFlushFor(object: unknown): AfterCommitRequest[] {
  const i = parseObject(invoiceSchema, object, 'invoice');
  const subscription = invoiceSubscription(i);
  return subscription ? [{ effect: 'usage_flush', customer: i.customer, subscription, invoice: i.id }] : [];
}

export const invoiceHandlers = mirrorHandlers(invoiceMirror, {
  upserts: [
    'invoice.created',
    'invoice.updated',
    'invoice.finalized',
    'invoice.paid',
    'invoice.payment_succeeded',
    'invoice.payment_failed',
    'invoice.payment_action_required',
    'invoice.voided',
    'invoice.marked_uncollectible',
    'invoice.overdue',
  ],
  // Only drafts can be deleted.
  deletions: ['invoice.deleted'],
  // Stripe waits an hour before finalizing a new invoice: time for the period's usage to reach it.
  afterCommit: { 'invoice.created': usageFlushFor },
});
