/**
 * stripe_objects (contract): twenty object types without a typed table, each delivered in order,
 * shuffled and duplicated, with a same-second tie (resolved by Stripe's current state) and, where
 * Stripe deletes, a deletion that no later update undoes. A payment method's card details are
 * not stored. Backfill fills the table from the list endpoints too.
 */
import * as build from '../../../stand-in/events';
import { seededRandom, shuffle } from '../../../stand-in/util';
import { settle, startTestService, TestService } from '../../support/service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => t.stop());

/** [object type, the event type that carries its updates, the event type that deletes it (if any)]. */
const TYPES: Array<[string, string, string?]> = [
  ['charge', 'charge.updated'],
  ['refund', 'refund.updated'],
  ['dispute', 'charge.dispute.updated'],
  ['payment_intent', 'payment_intent.succeeded'],
  ['payment_method', 'payment_method.updated'],
  ['setup_intent', 'setup_intent.succeeded'],
  ['credit_note', 'credit_note.updated'],
  ['subscription_schedule', 'subscription_schedule.updated'],
  ['coupon', 'coupon.updated', 'coupon.deleted'],
  ['promotion_code', 'promotion_code.updated'],
  ['quote', 'quote.finalized'],
  ['tax_rate', 'tax_rate.updated'],
  ['tax_id', 'customer.tax_id.updated', 'customer.tax_id.deleted'],
  ['invoiceitem', 'invoiceitem.created', 'invoiceitem.deleted'],
  ['plan', 'plan.updated', 'plan.deleted'],
  ['payout', 'payout.updated'],
  ['transfer', 'transfer.updated'],
  ['review', 'review.opened'],
  ['radar.early_fraud_warning', 'radar.early_fraud_warning.updated'],
  ['application_fee', 'application_fee.created'],
];

const T0 = Math.floor(Date.now() / 1000) - 600;
const stored = (id: string) =>
  t.service.dataSource.query(
    'SELECT type, stripe_customer_id, data, deleted, watermark FROM stripe_objects WHERE stripe_id = $1',
    [id],
  );

test("twenty object types, shuffled and duplicated, end in their newest state; a tie ends in Stripe's state", async () => {
  const objects = TYPES.map(
    ([type], n) =>
      build.object(type, { id: `${type.replace(/\W/g, '')}_Obj${n}`, metadata: { v: '0' } }) as {
        id: string;
        object: string;
      },
  );
  const events = objects.flatMap((o, n) =>
    [1, 2, 3].map((v) => build.event(TYPES[n][1], { ...o, metadata: { v: String(v) } }, { created: T0 + v })),
  );
  // Same second as v3, other content: only Stripe can say which is current; the stand-in holds 'truth'.
  const ties = objects.map((o, n) => build.event(TYPES[n][1], { ...o, metadata: { v: 'tie' } }, { created: T0 + 3 }));
  for (const o of objects) t.standIn.put({ ...o, metadata: { v: 'truth' } } as typeof o);
  const all = shuffle([...events, ...events.slice(0, 25), ...ties], seededRandom(3));
  await Promise.all(all.map(async (e) => expect((await t.deliver(e)).status).toBe(200)));
  await settle(t);
  for (const o of objects) {
    const [row] = await stored(o.id);
    expect({ id: o.id, type: row?.type, v: row?.data.metadata.v, watermark: row?.watermark }).toEqual({
      id: o.id,
      type: o.object,
      v: expect.stringMatching(/^(3|truth)$/),
      watermark: String(T0 + 3),
    });
  }
  // Whichever of v3 and the tie applied first, the second one met a same-second row and asked Stripe.
  const truths = await Promise.all(objects.map(async (o) => (await stored(o.id))[0].data.metadata.v));
  expect(truths.every((v) => v === 'truth')).toBe(true);
  expect(await t.service.eventQueues!.partitions[0].getFailed()).toEqual([]);
});

test('a deletion is terminal: later or older updates do not bring the object back', async () => {
  for (const [type, update, deletion] of TYPES.filter(([, , d]) => d)) {
    const o = build.object(type, { id: `${type}_Del1`, metadata: { v: '1' } }) as { id: string };
    await t.deliver(build.event(deletion!, { ...o, deleted: true }, { created: T0 + 10 }));
    await t.deliver(build.event(update, { ...o, metadata: { v: 'late' } }, { created: T0 + 20 }));
    await t.deliver(build.event(update, { ...o, metadata: { v: 'old' } }, { created: T0 + 5 }));
  }
  await settle(t);
  for (const [type] of TYPES.filter(([, , d]) => d)) {
    const [row] = await stored(`${type}_Del1`);
    expect({ type, deleted: row.deleted }).toEqual({ type, deleted: true });
  }
});

test('a payment method (and a charge) keeps its customer and brand, never its card number fields, expiry or fingerprint', async () => {
  const pm = build.object('payment_method', { id: 'pm_Card1', customer: 'cus_Card1' }) as unknown as {
    card: Record<string, unknown>;
  };
  expect(pm.card.last4).toBeDefined();
  const charge = build.object('charge', { id: 'ch_Card1', customer: 'cus_Card1' });
  await t.deliver(build.event('payment_method.attached', pm));
  await t.deliver(build.event('charge.succeeded', charge));
  await settle(t);
  for (const id of ['pm_Card1', 'ch_Card1']) {
    const [row] = await stored(id);
    expect(row.stripe_customer_id).toBe('cus_Card1');
    const text = JSON.stringify(row.data);
    for (const field of ['last4', 'exp_month', 'exp_year', 'fingerprint', '"number"', '"cvc"'])
      expect(text).not.toContain(field);
  }
  const [pmRow] = await stored('pm_Card1');
  expect(pmRow.data.card.brand).toBe(pm.card.brand);
});
