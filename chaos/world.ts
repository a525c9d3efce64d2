/**
 * Generated Stripe histories: whole customer lifecycles (sign-up, first payment, dunning,
 * recovery, cancellation, trials, voided and uncollectible invoices, same-second ties) as the
 * events Stripe would send, in time order. The truth is the newest snapshot of every object.
 */
import type Stripe from 'stripe';
import { customer, event, invoice, price, product, subscription } from '../stand-in/events';
import { seededRandom } from '../stand-in/util';

type Obj = { id: string; object: string } & Record<string, unknown>;

export interface TruthEntry {
  object: Obj;
  /** Type of the newest event about it (a `*.deleted` means the mirror row must be a tombstone). */
  lastType: string;
}

export interface World {
  events: Stripe.Event[];
  customers: string[];
  truth: Map<string, TruthEntry>;
}

export interface WorldOptions {
  /** Stop after exactly this many events (lifecycles are generated until there are enough). */
  events?: number;
  /** Or generate this many customer lifecycles. */
  customers?: number;
  seed: number;
  /** Seconds between the steps of a lifecycle (hours spread a lifecycle over days). */
  step: number;
  /** Unix second the first lifecycle starts. */
  start: number;
}

/** Id of the object an event is about. */
export const objectId = (e: Stripe.Event): string => (e.data.object as unknown as { id: string }).id;

class Timeline {
  readonly events: Stripe.Event[] = [];
  constructor(public t: number) {}
  emit(type: string, obj: object, advance = 0): void {
    this.t += advance;
    this.events.push(event(type, obj, { created: this.t }));
  }
}

const fail = (inv: Stripe.Invoice) =>
  Object.assign(inv, {
    status: 'open',
    attempted: true,
    attempt_count: inv.attempt_count + 1,
    amount_paid: 0,
    amount_remaining: inv.amount_due,
  });
const pay = (inv: Stripe.Invoice) =>
  Object.assign(inv, { status: 'paid', attempted: true, amount_paid: inv.amount_due, amount_remaining: 0 });

/** One customer's history; `variant` picks how it ends. */
function lifecycle(rng: () => number, t0: number, step: number, pr: Stripe.Price): Stripe.Event[] {
  const tl = new Timeline(t0);
  const cus = customer({ created: t0 });
  tl.emit('customer.created', cus);
  const trial = rng() < 0.2;
  const sub = subscription({
    customer: cus.id,
    status: trial ? 'trialing' : 'incomplete',
    created: t0,
    items: [{ price: pr }],
  });
  tl.emit('customer.subscription.created', sub, 1);
  const inv = invoice({
    customer: cus.id,
    subscription: sub.id,
    status: 'draft',
    created: tl.t,
    amount_due: trial ? 0 : 2000,
  });
  tl.emit('invoice.created', inv); // same second as the subscription: a different object
  inv.status = 'open';
  tl.emit('invoice.finalized', inv, step);
  if (!trial && rng() < 0.5) tl.emit('invoice.payment_failed', fail(inv), step);
  pay(inv);
  // One payment: three events in the same second, as Stripe sends them.
  tl.emit('invoice.paid', inv, step);
  tl.emit('invoice.payment_succeeded', inv);
  tl.emit('invoice.updated', inv);
  sub.status = 'active';
  tl.emit('customer.subscription.updated', sub);
  tl.emit(
    'customer.updated',
    Object.assign(cus, { email: `renamed+${cus.id.slice(4).toLowerCase()}@example.com`, name: 'Renamed' }),
    step,
  );
  const variant = Math.floor(rng() * 7);
  if (variant === 0) return tl.events; // happy
  if (variant === 1) {
    tl.emit('customer.subscription.updated', Object.assign(sub, { cancel_at_period_end: true }), step);
    tl.emit(
      'customer.subscription.deleted',
      Object.assign(sub, { status: 'canceled', canceled_at: tl.t + step }),
      step,
    );
    return tl.events;
  }
  const inv2 = invoice({
    customer: cus.id,
    subscription: sub.id,
    status: 'draft',
    created: tl.t + step,
    amount_due: 3000,
  });
  tl.emit('invoice.created', inv2, step);
  inv2.status = 'open';
  tl.emit('invoice.finalized', inv2, step);
  tl.emit('invoice.payment_failed', fail(inv2), step);
  if (variant === 2) return tl.events; // dunning, sub still active: the failed invoice alone denies access
  if (variant === 3) {
    tl.emit('customer.subscription.updated', Object.assign(sub, { status: 'past_due' }));
    tl.emit('invoice.paid', pay(inv2), step);
    tl.emit('customer.subscription.updated', Object.assign(sub, { status: 'active' }));
    return tl.events;
  }
  if (variant === 4) {
    // Same-second flip-flop of one object: only Stripe knows which came last.
    const [first, last] = rng() < 0.5 ? ['past_due', 'active'] : ['active', 'past_due'];
    tl.emit('customer.subscription.updated', Object.assign(sub, { status: first }), step);
    tl.emit('customer.subscription.updated', Object.assign(sub, { status: last }));
    tl.emit('invoice.paid', pay(inv2));
    return tl.events;
  }
  if (variant === 5) tl.emit('invoice.voided', Object.assign(inv2, { status: 'void' }), step);
  else tl.emit('invoice.marked_uncollectible', Object.assign(inv2, { status: 'uncollectible' }), step);
  return tl.events;
}

export function generateWorld(opts: WorldOptions): World {
  const rng = seededRandom(opts.seed);
  const prod = product({ created: opts.start });
  const pr = price({ product: prod.id, created: opts.start });
  const events: Stripe.Event[] = [
    event('product.created', prod, { created: opts.start }),
    event('price.created', pr, { created: opts.start }),
  ];
  const customers: string[] = [];
  const enough = () =>
    opts.events !== undefined ? events.length >= opts.events : customers.length >= (opts.customers ?? 0);
  for (let i = 0; !enough(); i++) {
    const life = lifecycle(rng, opts.start + i, opts.step, pr);
    customers.push(objectId(life[0]));
    events.push(...life);
  }
  if (opts.events !== undefined) events.length = opts.events;
  return { events, customers: customers.filter((c) => events.some((e) => objectId(e) === c)), truth: truthOf(events) };
}

/** Newest snapshot per object id (generation order breaks same-second ties, as Stripe's state does). */
export function truthOf(events: readonly Stripe.Event[]): Map<string, TruthEntry> {
  const truth = new Map<string, TruthEntry>();
  for (const e of events) {
    const object = e.data.object as unknown as Obj;
    truth.set(object.id, { object, lastType: e.type });
  }
  return truth;
}
