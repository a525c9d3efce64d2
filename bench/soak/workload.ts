/**
 * The soak's steady Stripe traffic: a fixed population of customers, each created once (customer,
 * subscription, invoice) and then updated round-robin forever, so the mirror tables reach a fixed
 * size while processed_events and the job queue see a constant stream of new event ids. Event i
 * goes to customer i mod C; each step touches one object, so an object's events are C × 3 / rate
 * seconds apart and never share a `created` second (no ties, no refetches in the steady state).
 *
 * `created` runs at real speed but `ageSeconds` in the past: with ageSeconds = retention − w, the
 * real PROCESSED_EVENTS_RETENTION_DAYS rule makes each processed_events row prunable w seconds after
 * it was sent, the steady state a deployment reaches after 45 days, inside the run.
 */
import type Stripe from 'stripe';
import { customer, event, invoice, price, product, subscription } from '../../stand-in/events';
import { truthOf, type TruthEntry } from '../../chaos/world';

type Obj = { id: string; object: string } & Record<string, unknown>;

export interface WorkloadOptions {
  customers: number;
  eventsPerSecond: number;
  /** How far in the past event `created` times lie (seconds). */
  ageSeconds: number;
  /** Unix second the run starts. */
  start: number;
}

interface Account {
  customer: Stripe.Customer;
  subscription: Stripe.Subscription;
  invoice: Stripe.Invoice;
  steps: number;
}

export class SteadyWorkload {
  readonly customers: string[] = [];
  private readonly accounts: Account[] = [];
  private readonly last = new Map<string, TruthEntry>();
  private readonly price: Stripe.Price;
  private readonly product: Stripe.Product;
  private sent = 0;

  constructor(private readonly opts: WorkloadOptions) {
    const t = opts.start - opts.ageSeconds - 1;
    this.product = product({ created: t });
    this.price = price({ product: this.product.id, created: t });
    for (let i = 0; i < opts.customers; i++) {
      const cus = customer({ created: t });
      const sub = subscription({ customer: cus.id, status: 'active', created: t, items: [{ price: this.price }] });
      const inv = invoice({ customer: cus.id, subscription: sub.id, status: 'draft', created: t, amount_due: 2000 });
      this.accounts.push({ customer: cus, subscription: sub, invoice: inv, steps: 0 });
      this.customers.push(cus.id);
    }
  }

  /** The two events sent before the stream (the catalogue everyone subscribes to). */
  catalogue(): Stripe.Event[] {
    const t = this.opts.start - this.opts.ageSeconds - 1;
    return [
      this.record(event('product.created', this.product, { created: t })),
      this.record(event('price.created', this.price, { created: t })),
    ];
  }

  /** Event number `i` of the stream (call in order); its object's new state is the truth. */
  next(): Stripe.Event {
    const i = this.sent++;
    const account = this.accounts[i % this.accounts.length];
    const created = this.opts.start - this.opts.ageSeconds + Math.floor(i / this.opts.eventsPerSecond);
    return this.record(this.step(account, account.steps++, created));
  }

  /** Newest state of every object sent so far (what the mirror must hold once the queue drained). */
  truth(): Map<string, TruthEntry> {
    return new Map(this.last);
  }

  private step(a: Account, s: number, created: number): Stripe.Event {
    const at = { created };
    if (s === 0) return event('customer.created', a.customer, at);
    if (s === 1) return event('customer.subscription.created', a.subscription, at);
    if (s === 2) return event('invoice.created', a.invoice, at);
    const round = Math.floor(s / 3);
    if (s % 3 === 0)
      return event('customer.updated', Object.assign(a.customer, { name: `Customer round ${round}` }), at);
    if (s % 3 === 1) {
      // Alternates between paying and dunning, with a cancellation flag flipping on every fourth round.
      Object.assign(a.subscription, {
        status: round % 2 ? 'past_due' : 'active',
        cancel_at_period_end: round % 4 === 3,
      });
      return event('customer.subscription.updated', a.subscription, at);
    }
    const paid = round % 2 === 0;
    Object.assign(a.invoice, {
      status: paid ? 'paid' : 'open',
      attempted: true,
      amount_due: 2000 + round,
      amount_paid: paid ? 2000 + round : 0,
      amount_remaining: paid ? 0 : 2000 + round,
    });
    return event(paid ? 'invoice.paid' : 'invoice.payment_failed', a.invoice, at);
  }

  private record(e: Stripe.Event): Stripe.Event {
    const [entry] = truthOf([e]).values();
    this.last.set((e.data.object as unknown as Obj).id, entry);
    return e;
  }
}
