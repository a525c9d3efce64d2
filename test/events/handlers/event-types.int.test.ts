/** One case per handled event type, delivered through the HTTP endpoint, asserting the resulting rows. */
import { handlers } from '../../../src/events/handlers';
import * as build from '../../../stand-in/events';
import { rows, settle, startTestService, TestService } from '../../support/service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => t.stop());

interface Case {
  object: object;
  table: string;
  expected: Record<string, unknown>;
  /** The column that finds the row (default stripe_id). */
  key?: string;
}

const cus = 'cus_Mirror0001';

/** Builds the event's object and the row it must produce, from the event type's object family. */
function caseFor(type: string): Case {
  const deleted = type.endsWith('.deleted');
  if (type.startsWith('customer.subscription.')) {
    const status =
      {
        'customer.subscription.deleted': 'canceled',
        'customer.subscription.paused': 'paused',
        'customer.subscription.trial_will_end': 'trialing',
      }[type] ?? 'active';
    const s = build.subscription({
      customer: cus,
      status,
      cancel_at_period_end: type.endsWith('updated'),
      items: [{ id: `si_${type.length}x`, price: 'price_Pro', quantity: 2, current_period_end: 1_900_000_000 }],
    });
    return {
      object: s,
      table: 'subscriptions',
      expected: {
        stripe_id: s.id,
        stripe_customer_id: cus,
        status,
        cancel_at_period_end: type.endsWith('updated'),
        deleted,
      },
    };
  }
  if (type.startsWith('customer.')) {
    const c = build.customer({ email: 'ada@example.com' });
    return { object: c, table: 'customers', expected: { stripe_id: c.id, email: 'ada@example.com', deleted } };
  }
  if (type.startsWith('product.')) {
    const p = build.product({ name: 'Pro plan', active: !deleted });
    return { object: p, table: 'products', expected: { stripe_id: p.id, name: 'Pro plan', active: !deleted, deleted } };
  }
  if (type.startsWith('price.')) {
    const p = build.price({ product: 'prod_Pro', unit_amount: 4200, currency: 'eur' });
    return {
      object: p,
      table: 'prices',
      expected: {
        stripe_id: p.id,
        stripe_product_id: 'prod_Pro',
        unit_amount: '4200',
        currency: 'eur',
        active: true,
        deleted,
      },
    };
  }
  if (type.startsWith('invoice.')) {
    const status =
      (
        {
          'invoice.paid': 'paid',
          'invoice.payment_succeeded': 'paid',
          'invoice.voided': 'void',
          'invoice.marked_uncollectible': 'uncollectible',
          'invoice.created': 'draft',
          'invoice.deleted': 'draft',
        } as Record<string, string>
      )[type] ?? 'open';
    const paid = status === 'paid';
    const attempted =
      ['invoice.payment_failed', 'invoice.payment_action_required', 'invoice.marked_uncollectible'].includes(type) ||
      paid;
    const i = build.invoice({
      customer: cus,
      subscription: 'sub_Mirror',
      status,
      attempted,
      amount_due: 1500,
      amount_paid: paid ? 1500 : 0,
      amount_remaining: paid ? 0 : 1500,
    });
    return {
      object: i,
      table: 'invoices',
      expected: {
        stripe_id: i.id,
        stripe_customer_id: cus,
        stripe_subscription_id: 'sub_Mirror',
        status,
        amount_due: '1500',
        amount_paid: paid ? '1500' : '0',
        attempted,
        deleted,
      },
    };
  }
  if (type.startsWith('checkout.session.')) {
    const s = build.checkoutSession({
      customer: cus,
      subscription: 'sub_Mirror',
      mode: 'subscription',
      status: 'complete',
      payment_status: 'paid',
    });
    return {
      object: s,
      table: 'checkout_sessions',
      expected: {
        stripe_id: s.id,
        stripe_customer_id: cus,
        stripe_subscription_id: 'sub_Mirror',
        mode: 'subscription',
        payment_status: 'paid',
      },
    };
  }
  if (type === 'entitlements.active_entitlement_summary.updated') {
    const summary = {
      object: 'entitlements.active_entitlement_summary',
      customer: cus,
      livemode: false,
      entitlements: {
        object: 'list',
        data: [
          {
            id: 'ent_Mirror1',
            object: 'entitlements.active_entitlement',
            feature: 'feat_Sso',
            lookup_key: 'sso',
            livemode: false,
          },
        ],
        has_more: false,
        url: '/v1/entitlements/active_entitlements',
      },
    };
    return {
      object: summary,
      table: 'customer_entitlements',
      key: 'stripe_customer_id',
      expected: { stripe_customer_id: cus, stripe_feature_id: 'feat_Sso', lookup_key: 'sso' },
    };
  }
  throw new Error(`no test case for ${type}: add one`);
}

test.each(Object.keys(handlers))('%s', async (type) => {
  const { object, table, expected, key = 'stripe_id' } = caseFor(type);
  const evt = build.event(type, object);
  expect((await t.deliver(evt)).status).toBe(200);
  await settle(t);
  const [row] = await t.service.dataSource.query(`SELECT * FROM ${table} WHERE ${key} = $1`, [expected[key]]);
  expect(row).toMatchObject(key === 'stripe_id' ? { ...expected, watermark: String(evt.created) } : expected);
  expect(
    await t.service.dataSource.query('SELECT type FROM processed_events WHERE stripe_event_id = $1', [evt.id]),
  ).toEqual([{ type }]);
});

test('subscription items mirror the newest item set: removed items disappear', async () => {
  const first = build.subscription({
    customer: cus,
    items: [
      { id: 'si_Keep', price: 'price_A' },
      { id: 'si_Drop', price: 'price_B' },
    ],
  });
  await t.deliver(build.event('customer.subscription.created', first, { created: 1_700_000_000 }));
  const second = { ...first, items: { ...first.items, data: [first.items.data[0]] } };
  await t.deliver(build.event('customer.subscription.updated', second, { created: 1_700_000_100 }));
  await settle(t);
  const items = await t.service.dataSource.query(
    'SELECT stripe_id, stripe_price_id FROM subscription_items WHERE stripe_subscription_id = $1',
    [first.id],
  );
  expect(items).toEqual([{ stripe_id: 'si_Keep', stripe_price_id: 'price_A' }]);
});

test('a malformed object fails its job for good at once and writes nothing', async () => {
  const before = await rows(t, 'processed_events');
  const evt = build.event('customer.subscription.updated', { id: 'sub_Broken', object: 'subscription', customer: cus });
  expect((await t.deliver(evt)).status).toBe(200);
  await settle(t);
  const job = await t.service.eventQueues!.getJob(evt.id);
  expect(await job!.getState()).toBe('failed');
  expect(job!.attemptsMade).toBe(1);
  expect(job!.failedReason).toMatch(/malformed subscription: status/);
  expect(await rows(t, 'processed_events')).toEqual(before);
});

test('an invoice before its customer is stored, and the customer joins it later', async () => {
  const i = build.invoice({ customer: 'cus_Late0001' });
  await t.deliver(build.event('invoice.finalized', i));
  await settle(t);
  expect(
    await t.service.dataSource.query('SELECT stripe_customer_id FROM invoices WHERE stripe_id = $1', [i.id]),
  ).toEqual([{ stripe_customer_id: 'cus_Late0001' }]);
  await t.deliver(build.event('customer.created', build.customer({ id: 'cus_Late0001' })));
  await settle(t);
  const joined = await t.service.dataSource.query(
    'SELECT c.stripe_id FROM invoices i JOIN customers c ON c.stripe_id = i.stripe_customer_id WHERE i.stripe_id = $1',
    [i.id],
  );
  expect(joined).toEqual([{ stripe_id: 'cus_Late0001' }]);
});
