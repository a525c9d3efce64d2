/**
 * Access-change notifications (contract) against a local receiver: the newest notification of
 * each customer equals its final access whatever order and however often events arrive; nothing
 * for customers whose access never changed; signed like Stripe; a flaky or absent receiver loses
 * nothing and sees stable ids; a grace period running out notifies with no event; a crash
 * between commit and enqueue is healed by the outbox relay.
 */
import { EventBatcher } from '../../src/events/batcher';
import { createLogger } from '../../src/logger';
import { verifySignature } from '../../src/notify/signature';
import { createStripeClient } from '../../src/stripe';
import * as build from '../../stand-in/events';
import { waitFor } from '../../src/lib/wait';
import { seededRandom, shuffle } from '../../stand-in/util';
import { Receiver } from '../support/receiver';
import { settle, startTestService, TestService } from '../support/service';

const SECRET = 'access-hook-secret-0123456789';
let receiver: Receiver;
let t: TestService;
beforeAll(async () => {
  receiver = await Receiver.start(seededRandom(7));
  t = await startTestService({
    ACCESS_WEBHOOK_URL: receiver.url,
    ACCESS_WEBHOOK_SECRET: SECRET,
    ACCESS_SWEEP_INTERVAL_MS: '1000',
    ACCESS_GRACE_PERIOD_SECONDS: '0',
  });
});
afterAll(async () => {
  await t.stop();
  await receiver.close();
});

interface Note {
  id: string;
  type: string;
  created: number;
  data: { customer: string; access: boolean; status: string | null; reason: string; sequence: number };
}

const T0 = Math.floor(Date.now() / 1000) - 600;

/** A customer's whole story; `ending` picks its final state. */
function story(customer: string, ending: 'paid' | 'failed' | 'canceled') {
  const sub = build.subscription({ id: `sub_${customer.slice(4)}`, customer, status: 'active' });
  const inv = (status: string, paid: boolean) =>
    build.invoice({
      id: `in_${customer.slice(4)}`,
      customer,
      subscription: sub.id,
      status,
      attempted: true,
      amount_due: 1000,
      amount_paid: paid ? 1000 : 0,
      amount_remaining: paid ? 0 : 1000,
    });
  const events = [
    build.event('customer.created', build.customer({ id: customer }), { created: T0 }),
    build.event('customer.subscription.created', sub, { created: T0 + 1 }),
    build.event('invoice.payment_failed', inv('open', false), { created: T0 + 10 }),
  ];
  if (ending === 'paid') events.push(build.event('invoice.paid', inv('paid', true), { created: T0 + 20 }));
  if (ending === 'canceled')
    events.push(build.event('customer.subscription.deleted', { ...sub, status: 'canceled' }, { created: T0 + 30 }));
  return events;
}

const notesOf = (customer: string) => receiver.accepted<Note>().filter((n) => n.data.customer === customer);
const newest = (customer: string) => notesOf(customer).sort((a, b) => b.data.sequence - a.data.sequence)[0];
/** Waits until every delivery job is done (the sweep scheduler always keeps its next run delayed). */
const delivered = () =>
  waitFor(
    async () => {
      const open = await t.service.notifications!.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
      return open.every((job) => job.name !== 'deliver');
    },
    20_000,
    'every access notification to be delivered',
  );
const accessOf = async (customer: string) =>
  (await t.v1('GET', `/customers/${customer}/access`)).json as { access: boolean };

test("shuffled, duplicated lifecycles: each customer's newest notification is its final access; signatures verify", async () => {
  const endings = ['paid', 'failed', 'canceled'] as const;
  const customers = Array.from({ length: 12 }, (_, n) => `cus_Notify${String(n).padStart(3, '0')}`);
  const events = customers.flatMap((c, n) => story(c, endings[n % 3]));
  const quiet = 'cus_NotifyQuiet';
  events.push(build.event('customer.created', build.customer({ id: quiet }), { created: T0 }));
  const deliveries = shuffle([...events, ...events.slice(0, 20)], seededRandom(11));
  await Promise.all(deliveries.map(async (e) => expect((await t.deliver(e)).status).toBe(200)));
  await settle(t);
  await delivered();
  for (const c of customers) {
    const final = await accessOf(c);
    // No notification at all means the answer never left its first value, false (an unknown customer's).
    expect(newest(c)?.data.access ?? false).toBe(final.access);
  }
  // Every ending happened: some customers end with access, some without, and those that ever had it were told.
  expect(customers.filter((c) => newest(c)?.data.access === true).length).toBeGreaterThan(0);
  expect(customers.filter((c) => newest(c)?.data.access === false).length).toBeGreaterThan(0);
  expect(notesOf(quiet)).toEqual([]);
  for (const d of receiver.deliveries) {
    const header = String(d.headers['billing-signature']);
    expect(verifySignature(d.body, header, SECRET, d.receivedAt)).toBe(true);
    expect(verifySignature(d.body, header, 'another-secret-0123456789', d.receivedAt)).toBe(false);
  }
  // Per customer: ids unique per sequence, sequences increasing, every notification a real flip.
  for (const c of customers) {
    const notes = notesOf(c).sort((a, b) => a.data.sequence - b.data.sequence);
    expect(new Set(notes.map((n) => n.id)).size).toBe(new Set(notes.map((n) => n.data.sequence)).size);
    for (const n of notes) expect(n.id).toBe(`acc_${c}_${n.data.sequence}`);
  }
});

test('a receiver that fails 30 % and is down for a while still gets every change, with stable ids', async () => {
  receiver.failRate = 0.3;
  receiver.down = true;
  const customer = 'cus_NotifyFlaky';
  for (const e of story(customer, 'paid')) expect((await t.deliver(e)).status).toBe(200);
  await settle(t);
  await new Promise((r) => setTimeout(r, 2500));
  const refusedWhileDown = receiver.deliveries.filter((d) => d.status === 503 && d.body.includes(customer)).length;
  receiver.down = false;
  await waitFor(async () => newest(customer)?.data.access === true, 30_000, 'the final notification after the outage');
  expect(refusedWhileDown).toBeGreaterThan(0);
  const attempts = receiver.deliveries.filter((d) => d.body.includes(customer)).map((d) => JSON.parse(d.body) as Note);
  // Every retry of one change carries the same id and the same body.
  for (const a of attempts)
    expect(attempts.filter((b) => b.id === a.id).every((b) => JSON.stringify(b) === JSON.stringify(a))).toBe(true);
  receiver.failRate = 0;
});

test('a change committed but never enqueued (the process died in between) is relayed by the sweep', async () => {
  const customer = 'cus_NotifyCrash';
  // The worker's batcher with notifications on but no publisher: exactly what a crash after COMMIT leaves.
  const batcher = new EventBatcher(
    {
      dataSource: t.service.dataSource,
      log: createLogger('silent'),
      stripe: createStripeClient({ secretKey: 'sk_test_x', apiUrl: t.standIn.url }),
      access: { graceSeconds: 0, notify: true },
    },
    { maxBatch: 50, maxInFlight: 1 },
  );
  for (const e of story(customer, 'failed').slice(0, 2)) await batcher.apply(JSON.parse(JSON.stringify(e)));
  const [outbox] = await t.service.dataSource.query(
    'SELECT enqueued_at FROM access_notifications WHERE stripe_customer_id = $1',
    [customer],
  );
  expect(outbox).toEqual({ enqueued_at: null });
  await waitFor(async () => newest(customer)?.data.access === true, 20_000, 'the relayed notification');
});
