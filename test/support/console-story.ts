/**
 * Customers for the operator console's tests, each told through signed webhooks to a running test
 * service (and kept in its Stripe stand-in, so a resync finds them):
 *  - `lockedOut`: subscribed to "Pro", first invoice paid, the renewal's payment failed (a declined
 *    charge names the invoice): no access, `payment_failed:<invoice>`; an entitlement, some usage;
 *  - `hostile`: a name typed into a checkout form as markup and script;
 *  - `stale`: a subscription the mirror has as past_due from an event an hour old, so a resync
 *    (which counts as 5 minutes ago) may replace it.
 */
import * as build from '../../stand-in/events';
import { settle, type TestService } from './service';

export const ADMIN_USER = 'ops';
export const ADMIN_PASSWORD = 'console-password-0123';
export const adminEnv = { ADMIN_USER, ADMIN_PASSWORD };
export const basicAuth = (user = ADMIN_USER, password = ADMIN_PASSWORD) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

/** Markup and script that would set `window.pwned` if any of it ran. */
export const HOSTILE_NAME = `<img src=x onerror="window.pwned=1"></script><script>window.pwned=2</script>`;

export interface ConsoleStory {
  lockedOut: { customer: string; email: string; name: string; subscription: string; failedInvoice: string };
  hostile: { customer: string; email: string };
  stale: { customer: string; subscription: string };
}

/** Delivers `events` one after another, each applied before the next (notifications keep their order). */
async function tell(t: TestService, events: object[]): Promise<void> {
  for (const e of events) {
    const res = await t.deliver(e);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    await settle(t);
  }
}

async function lockedOut(t: TestService, base: number): Promise<ConsoleStory['lockedOut']> {
  const customer = build.customer({ id: 'cus_ConsoleAda01', name: 'Ada Lovelace', email: 'ada@example.com' });
  const product = build.product({ name: 'Pro plan' });
  const price = build.price({ product: product.id, unit_amount: 1900, currency: 'eur' });
  // The period began days ago, so the usage counted now falls inside it (the usage route's default range).
  const period = { current_period_start: base - 10 * 86_400, current_period_end: base + 20 * 86_400 };
  const sub = build.subscription({ customer: customer.id, status: 'active', items: [{ price, ...period }] });
  const paid = build.invoice({
    customer: customer.id,
    subscription: sub.id,
    status: 'paid',
    attempted: true,
    amount_due: 1900,
    currency: 'eur',
    period_start: period.current_period_start - 30 * 86_400,
    period_end: period.current_period_start,
  });
  const failed = build.invoice({
    customer: customer.id,
    subscription: sub.id,
    status: 'open',
    attempted: true,
    amount_due: 1900,
    amount_paid: 0,
    amount_remaining: 1900,
    currency: 'eur',
    period_start: period.current_period_start,
    period_end: period.current_period_end,
  });
  const charge = build.object('charge', {
    customer: customer.id,
    invoice: failed.id,
    status: 'failed',
    amount: 1900,
    currency: 'eur',
    failure_code: 'card_declined',
    failure_message: 'Your card was declined.',
  });
  for (const o of [customer, product, price, sub, paid, failed]) t.standIn.put(o);
  await tell(t, [
    build.event('product.created', product, { created: base }),
    build.event('price.created', price, { created: base }),
    build.event('customer.created', customer, { created: base + 1 }),
    build.event('customer.subscription.created', sub, { created: base + 2 }),
    build.event('invoice.paid', paid, { created: base + 3 }),
    build.entitlementSummaryEvent(customer.id, [{ lookup_key: 'pro-features' }], { created: base + 4 }),
    build.event('charge.failed', charge, { created: base + 60 }),
    build.event('invoice.payment_failed', failed, { created: base + 61 }),
  ]);
  const usage = await t.v1('POST', '/usage', { events: [{ customer: customer.id, meter: 'api_requests', value: 42 }] });
  if (usage.status !== 202) throw new Error(`usage answered ${usage.status}`);
  return {
    customer: customer.id,
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    subscription: sub.id,
    failedInvoice: failed.id,
  };
}

async function hostile(t: TestService, base: number): Promise<ConsoleStory['hostile']> {
  const customer = build.customer({ id: 'cus_ConsoleEvil01', name: HOSTILE_NAME, email: 'mallory@example.com' });
  t.standIn.put(customer);
  await tell(t, [build.event('customer.created', customer, { created: base })]);
  return { customer: customer.id, email: 'mallory@example.com' };
}

async function stale(t: TestService, base: number): Promise<ConsoleStory['stale']> {
  const customer = build.customer({ id: 'cus_ConsoleStale1', name: 'Grace Hopper', email: 'grace@example.com' });
  const sub = build.subscription({ customer: customer.id, status: 'past_due' });
  for (const o of [customer, sub]) t.standIn.put(o);
  await tell(t, [
    build.event('customer.created', customer, { created: base }),
    build.event('customer.subscription.created', sub, { created: base + 1 }),
  ]);
  return { customer: customer.id, subscription: sub.id };
}

export async function seedConsoleStory(t: TestService): Promise<ConsoleStory> {
  const base = Math.floor(Date.now() / 1000) - 3600;
  return { lockedOut: await lockedOut(t, base), hostile: await hostile(t, base), stale: await stale(t, base) };
}

/** Stripe changes the stale customer's subscription with no event reaching the service. */
export function reactivateInStripe(t: TestService, story: ConsoleStory): void {
  const sub = t.standIn.get<Record<string, unknown>>(story.stale.subscription);
  if (!sub) throw new Error('the stand-in lost the subscription');
  t.standIn.put({ ...sub, status: 'active' } as unknown as { id: string; object: string });
}
