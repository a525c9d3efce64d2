/**
 * The decisions of the customer page, pure: which invoice an access reason names, which payment
 * failures belong to which invoice, and what a resync changed (the story before against after).
 */
import type { CustomerStory } from './customer-model';

type Row = Record<string, unknown>;

/** The invoice a `payment_failed:in_…` reason names (access/rule.ts), else null. */
export function causeInvoice(reason: string): string | null {
  const match = /^payment_failed:(in_\S+)$/.exec(reason);
  return match ? match[1] : null;
}

/** stripe_objects rows with a failure (charges, payment intents), by the invoice they name. */
export function failuresByInvoice(objects: readonly Row[]): Map<string, Row[]> {
  const byInvoice = new Map<string, Row[]>();
  for (const o of objects) {
    if (typeof o.invoice !== 'string' || (o.failure_code == null && o.failure_message == null)) continue;
    byInvoice.set(o.invoice, [...(byInvoice.get(o.invoice) ?? []), o]);
  }
  return byInvoice;
}

export interface Change {
  what: string;
  from: string;
  to: string;
}

const text = (value: unknown): string =>
  value === null || value === undefined ? '—' : value instanceof Date ? value.toISOString() : String(value);

/** The fields of each kind of row whose change an operator cares about. */
const COMPARED: ReadonlyArray<[label: string, pick: (s: CustomerStory) => readonly Row[], fields: string[]]> = [
  ['customer', (s) => (s.customer ? [s.customer] : []), ['email', 'name', 'deleted']],
  ['subscription', (s) => s.subscriptions, ['status', 'cancel_at_period_end', 'deleted']],
  ['item', (s) => s.items, ['stripe_price_id', 'quantity', 'current_period_start', 'current_period_end']],
  ['invoice', (s) => s.invoices, ['status', 'amount_paid', 'amount_remaining', 'payment_failed_at', 'deleted']],
];

function rowChanges(label: string, before: readonly Row[], after: readonly Row[], fields: string[]): Change[] {
  const old = new Map(before.map((r) => [String(r.stripe_id), r]));
  const changes: Change[] = [];
  for (const row of after) {
    const id = String(row.stripe_id);
    const was = old.get(id);
    if (!was) {
      changes.push({ what: `${label} ${id}`, from: 'not in the mirror', to: 'added' });
      continue;
    }
    for (const field of fields)
      if (text(was[field]) !== text(row[field]))
        changes.push({ what: `${label} ${id} ${field}`, from: text(was[field]), to: text(row[field]) });
  }
  return changes;
}

const answer = (s: CustomerStory): string => `${s.access.access ? 'access' : 'no access'} (${s.access.reason})`;

/** What differs between two readings of one customer's story, the access answer first. */
export function storyChanges(before: CustomerStory, after: CustomerStory): Change[] {
  const changes: Change[] = [];
  if (answer(before) !== answer(after)) changes.push({ what: 'access', from: answer(before), to: answer(after) });
  for (const [label, pick, fields] of COMPARED) changes.push(...rowChanges(label, pick(before), pick(after), fields));
  return changes;
}
