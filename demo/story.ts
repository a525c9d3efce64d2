/**
 * `npm run demo`'s story, as a function the test suite runs too. Each step sends what Stripe
 * would send (signed webhooks over HTTP, the stand-in updated to match), waits for the mirror,
 * asks the access API, and records whether the answer is the expected one:
 *   1. a customer subscribes and the first invoice is paid   → access opens
 *   2. the renewal payment fails                             → access closes at once
 *   3. the card is fixed and the invoice paid                → access returns
 *   4. usage is counted (POST /v1/usage) and drained         → the stand-in holds the meter events
 *   5. usage for a customer Stripe cannot map yet is refused → shown rejected, fixed, confirmed
 */
import type Stripe from 'stripe';
import { waitFor } from '../src/lib/wait';
import { http } from '../stand-in/http-client';
import { customer, event, invoice, price, product, signedDelivery, subscription } from '../stand-in/events';
import { DEMO_ADMIN, DEMO_API_KEY, DEMO_WEBHOOK_SECRET, DemoStack } from './stack';
import { usageConfirmationStep } from './usage-confirmation';

export interface DemoStep {
  name: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export const DEMO_METER = 'api_requests';
/** A fixed id, so the README's calls against a running demo work as printed. */
export const DEMO_CUSTOMER = 'cus_DemoAdaLovelace';

type Print = (line: string) => void;

interface Story {
  stack: DemoStack;
  print: Print;
  steps: DemoStep[];
  clock: number;
}

/** Strictly increasing event seconds, so no two steps tie on `created`. */
const tick = (story: Story): number => (story.clock += 5);

async function deliver(story: Story, type: string, object: { id: string; object: string }): Promise<void> {
  story.stack.standIn.put(object);
  const { body, signature } = signedDelivery(event(type, object, { created: tick(story) }), DEMO_WEBHOOK_SECRET);
  const res = await http('POST', `${story.stack.baseUrl}/webhooks/stripe`, {
    body,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  });
  if (res.status !== 200) throw new Error(`webhook ${type} answered ${res.status}: ${res.text}`);
  story.print(`    → webhook ${type} (${object.id}) accepted`);
}

const v1 = (story: Story, method: string, path: string, body?: unknown) =>
  http(method, `${story.stack.baseUrl}/v1${path}`, {
    headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function showMirror(story: Story, customerId: string): Promise<void> {
  const q = (sql: string) => story.stack.service.dataSource.query(sql, [customerId]);
  for (const s of await q(
    'SELECT stripe_id, status FROM subscriptions WHERE stripe_customer_id = $1 ORDER BY stripe_id',
  )) {
    story.print(`    mirror subscriptions: ${s.stripe_id} status=${s.status}`);
  }
  for (const i of await q(
    'SELECT stripe_id, status, amount_due, amount_paid, payment_failed_at FROM invoices WHERE stripe_customer_id = $1 ORDER BY period_start, stripe_id',
  )) {
    story.print(
      `    mirror invoices:      ${i.stripe_id} status=${i.status} due=${i.amount_due} paid=${i.amount_paid}${i.payment_failed_at ? ' payment failed' : ''}`,
    );
  }
}

async function checkAccess(story: Story, name: string, customerId: string, expected: boolean): Promise<void> {
  const res = await v1(story, 'GET', `/customers/${customerId}/access`);
  const answer = res.json as { access: boolean; status: string | null; reason: string };
  await showMirror(story, customerId);
  story.print(`    GET /v1/customers/${customerId}/access → ${JSON.stringify(answer)}`);
  const ok = res.status === 200 && answer.access === expected;
  story.steps.push({
    name,
    expected: `access ${expected}`,
    actual: `access ${answer?.access} (${answer?.reason})`,
    ok,
  });
  story.print(`    ${ok ? 'OK' : 'UNEXPECTED'}: access is ${answer?.access}, expected ${expected}`);
}

const invoiceRow = (story: Story, id: string) =>
  story.stack.service.dataSource
    .query('SELECT status, payment_failed_at FROM invoices WHERE stripe_id = $1', [id])
    .then((r) => r[0]);

export async function runDemoStory(stack: DemoStack, print: Print): Promise<DemoStep[]> {
  const story: Story = { stack, print, steps: [], clock: Math.floor(Date.now() / 1000) - 600 };
  const day = 24 * 3600;

  print('1. A customer subscribes to "Pro" ($20/month + metered API requests) and pays');
  const prod = product({ name: 'Pro' });
  const licensed = price({ product: prod.id, unit_amount: 2000 });
  const metered = price({ product: prod.id, unit_amount: 1, meter: 'mtr_demo_api_requests' });
  const cus = customer({ id: DEMO_CUSTOMER, name: 'Ada Lovelace', email: 'ada@example.com' });
  const start = story.clock;
  const sub = subscription({
    customer: cus.id,
    items: [
      { price: licensed, current_period_start: start, current_period_end: start + 30 * day },
      { price: metered, current_period_start: start, current_period_end: start + 30 * day },
    ],
  });
  const first = invoice({
    customer: cus.id,
    subscription: sub.id,
    status: 'paid',
    amount_due: 2000,
    period_start: start,
    period_end: start,
  });
  const catalog = [
    ['product.created', prod],
    ['price.created', licensed],
    ['price.created', metered],
    ['customer.created', cus],
    ['customer.subscription.created', sub],
    ['invoice.paid', { ...first, attempted: true }],
  ] as Array<[string, { id: string; object: string }]>;
  for (const [type, obj] of catalog) await deliver(story, type, obj);
  await waitFor(
    async () => (await invoiceRow(story, first.id))?.status === 'paid',
    30_000,
    'the first invoice in the mirror',
    50,
  );
  await checkAccess(story, 'subscribe and pay', cus.id, true);

  print('2. A month later the renewal payment fails');
  const renewal = invoice({
    customer: cus.id,
    subscription: sub.id,
    status: 'open',
    amount_due: 2000,
    period_start: start + 30 * day,
    period_end: start + 30 * day,
  });
  const failed = { ...renewal, attempted: true, attempt_count: 1 } as Stripe.Invoice;
  await deliver(story, 'invoice.payment_failed', failed);
  await waitFor(
    async () => (await invoiceRow(story, renewal.id))?.payment_failed_at,
    30_000,
    'the failed renewal in the mirror',
    50,
  );
  await checkAccess(story, 'renewal payment fails', cus.id, false);

  print('3. The customer fixes the card; Stripe retries and the invoice is paid');
  await deliver(story, 'invoice.paid', {
    ...failed,
    status: 'paid',
    amount_paid: 2000,
    amount_remaining: 0,
    attempt_count: 2,
  } as Stripe.Invoice);
  await waitFor(
    async () => (await invoiceRow(story, renewal.id))?.status === 'paid',
    30_000,
    'the paid renewal in the mirror',
    50,
  );
  await checkAccess(story, 'invoice paid after the card is fixed', cus.id, true);

  print('4. The product counts API requests; the drain sends them to Stripe as meter events');
  await countAndDrain(story, cus.id);

  print('5. Usage for a customer Stripe cannot map yet: refused after the fact, shown, fixed, confirmed');
  const confirmed = await usageConfirmationStep({ stack, print, v1: (m, p, b) => v1(story, m, p, b) }, DEMO_METER);
  story.steps.push({
    name: 'refused usage fixed and confirmed',
    expected: 'rejected 42, then confirmed 42',
    ...confirmed,
  });
  print(`    ${confirmed.ok ? 'OK' : 'UNEXPECTED'}: ${confirmed.actual}`);
  return story.steps;
}

async function countAndDrain(story: Story, customerId: string): Promise<void> {
  const usage = story.stack.service.usage;
  const values = [120, 30, 7];
  for (const value of values) {
    const res = await v1(story, 'POST', '/usage', { customer: customerId, meter: DEMO_METER, value });
    story.print(`    POST /v1/usage {"value":${value}} → ${res.status} ${res.text}`);
  }
  if (!usage) {
    story.steps.push({
      name: 'usage counted and drained',
      expected: 'meter events at Stripe',
      actual: 'no usage drain in this build',
      ok: false,
    });
    return;
  }
  const result = await usage.drainNow();
  const total = story.stack.standIn.meterTotals().get(`${customerId}|${DEMO_METER}`) ?? 0;
  const expected = values.reduce((a, b) => a + b, 0);
  story.print(
    `    drain: ${JSON.stringify(result)}; Stripe (stand-in) now holds ${total} ${DEMO_METER} for ${customerId}`,
  );
  const ok = total === expected;
  story.steps.push({
    name: 'usage counted and drained',
    expected: `${expected} ${DEMO_METER}`,
    actual: `${total} ${DEMO_METER}`,
    ok,
  });
  story.print(`    ${ok ? 'OK' : 'UNEXPECTED'}: ${total} of ${expected} reached Stripe`);
}

/** The lines that tell a newcomer where to look next: the console, and one access and one usage call to try. */
export function demoFooter(stack: DemoStack): string[] {
  const auth = `-H 'Authorization: Bearer ${DEMO_API_KEY}'`;
  const usage = JSON.stringify({ id: 'req_1', customer: DEMO_CUSTOMER, meter: DEMO_METER, value: 5 });
  return [
    `Console:     ${stack.baseUrl}/admin   (user "${DEMO_ADMIN.user}", password "${DEMO_ADMIN.password}"; Bull Board at /admin/queues)`,
    `Metrics:     ${stack.baseUrl}/metrics`,
    `Access API:  curl ${auth} ${stack.baseUrl}/v1/customers/${DEMO_CUSTOMER}/access`,
    `Usage API:   curl ${auth} -H 'Content-Type: application/json' -d '${usage}' ${stack.baseUrl}/v1/usage`,
    `Stripe stand-in: ${stack.standIn.url}`,
  ];
}
