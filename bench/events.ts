/**
 * Signed webhook deliveries for the benchmarks, built from Stripe's own sample objects
 * (test/support/stripe-events.ts) so bodies have realistic size and shape.
 */
import Stripe from 'stripe';
import * as build from '../stand-in/events';
import { seededRandom } from '../stand-in/util';

export interface Delivery {
  body: string;
  signature: string;
}

const sign = (body: string, secret: string): Delivery => ({ body, signature: build.signWebhook(body, secret) });

/**
 * `count` distinct events (distinct ids) for the ingest runs: customer, subscription and invoice
 * events in turn, 1.5–5 KB each, signed now (valid for Stripe's 300 s tolerance).
 */
export function distinctDeliveries(count: number, secret: string, tag: string): Delivery[] {
  const cus = build.customer();
  const templates = [
    build.event('customer.updated', cus),
    build.event('customer.subscription.updated', build.subscription({ customer: cus.id })),
    build.event('invoice.paid', build.invoice({ customer: cus.id, status: 'paid' })),
  ].map((e) => JSON.stringify({ ...e, id: 'evt_PLACEHOLDER' }).split('evt_PLACEHOLDER'));
  const out: Delivery[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const [head, tail] = templates[i % templates.length];
    out[i] = sign(`${head}evt_${tag}${i.toString(36)}${tail}`, secret);
  }
  return out;
}

export interface EventMix {
  deliveries: Delivery[];
  /** Distinct event ids among the deliveries (each must end up in processed_events). */
  distinct: number;
  duplicates: number;
  /** Events sharing their object and second with another event (the only ones that may refetch). */
  ties: number;
  /** The events themselves, distinct, for the ceiling run. */
  events: Stripe.Event[];
  customers: number;
}

interface Timed {
  event: Stripe.Event;
  at: number;
}

/** One customer's life: sign-up, subscription, then monthly invoices (a few failing, some tied). */
function customerStory(
  budget: number,
  start: number,
  price: Stripe.Price,
  random: () => number,
  tieRate: number,
): Timed[] {
  const out: Timed[] = [];
  let t = start;
  const emit = (type: string, object: object, sameSecond = false) => {
    if (!sameSecond) t += 1 + Math.floor(random() * 600);
    out.push({ event: build.event(type, object, { created: t }), at: t });
  };
  const cus = build.customer();
  emit('customer.created', cus);
  const subId = `sub_${cus.id.slice(4)}`;
  const sub = (status: Stripe.Subscription.Status) =>
    build.subscription({ id: subId, customer: cus.id, status, items: [{ id: `si_${cus.id.slice(4)}`, price }] });
  emit('customer.subscription.created', sub('active'));
  while (out.length < budget) {
    const invId = `in_${cus.id.slice(4)}${out.length.toString(36)}`;
    const inv = (status: Stripe.Invoice.Status, extra: Partial<Stripe.Invoice> = {}) =>
      build.invoice({ id: invId, customer: cus.id, subscription: subId, status, ...extra } as build.InvoiceOverrides);
    emit('invoice.created', inv('draft'));
    emit('invoice.finalized', inv('open'));
    if (random() < 0.1) {
      emit('invoice.payment_failed', inv('open', { attempted: true }));
      emit('customer.subscription.updated', sub('past_due'));
    }
    emit('invoice.paid', inv('paid', { attempted: true }));
    // Stripe sends payment_succeeded in the same second as paid: a true tie, refetched.
    if (random() < tieRate) emit('invoice.payment_succeeded', inv('paid', { attempted: true }), true);
    emit('customer.subscription.updated', sub('active'));
    if (random() < 0.2) emit('customer.updated', { ...cus, name: `Customer ${out.length}` });
  }
  return out.slice(0, budget);
}

/**
 * About `total` events over `customers` customers, in time order with a little disorder,
 * `duplicateRate` of them redelivered later. Every object's final state is put into `stripe`
 * (the stand-in), so a refetch on a tie reads what "Stripe" holds now.
 */
export function eventMix(opts: {
  customers: number;
  total: number;
  secret: string;
  duplicateRate?: number;
  tieRate?: number;
  seed?: number;
  put(object: { id: string; object: string }): void;
}): EventMix {
  // Deterministic, so every run sends the same story.
  const random = seededRandom(opts.seed ?? 42);
  const price = build.price();
  const perCustomer = Math.max(4, Math.round(opts.total / opts.customers));
  const base = Math.floor(Date.now() / 1000) - 30 * 24 * 3600;
  const timed = Array.from({ length: opts.customers }, () =>
    customerStory(perCustomer, base + Math.floor(random() * 3600), price, random, opts.tieRate ?? 0.05),
  ).flat();
  timed.sort((a, b) => a.at - b.at);
  for (const { event } of timed) opts.put(event.data.object as unknown as { id: string; object: string });
  const events = timed.map((t) => t.event);
  // Stripe does not guarantee order: swap some neighbours.
  const order = events.slice();
  for (let i = 0; i + 1 < order.length; i++) if (random() < 0.05) [order[i], order[i + 1]] = [order[i + 1], order[i]];
  const deliveries = order.map((e) => JSON.stringify(e));
  let duplicates = 0;
  const withDuplicates: string[] = [];
  const later: Array<{ at: number; body: string }> = [];
  deliveries.forEach((body, i) => {
    withDuplicates.push(body);
    if (random() < (opts.duplicateRate ?? 0.05)) {
      later.push({ at: i + 1 + Math.floor(random() * 200), body });
      duplicates++;
    }
    for (let j = later.length - 1; j >= 0; j--) if (later[j].at <= i) withDuplicates.push(later.splice(j, 1)[0].body);
  });
  withDuplicates.push(...later.map((l) => l.body));
  const ties = countTies(events);
  return {
    deliveries: withDuplicates.map((b) => sign(b, opts.secret)),
    distinct: events.length,
    duplicates,
    ties,
    events,
    customers: opts.customers,
  };
}

function countTies(events: Stripe.Event[]): number {
  const seen = new Map<string, number>();
  for (const e of events) {
    const key = `${(e.data.object as { id: string }).id}@${e.created}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.values()].reduce((n, c) => n + (c > 1 ? c - 1 : 0), 0);
}
