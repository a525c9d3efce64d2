/**
 * Events whose object has no id (contract: POST /webhooks/stripe): 200, no failed job, nothing
 * stored where there is nothing to key it by; an entitlement summary replaces the customer's set.
 */
import * as build from '../../stand-in/events';
import { rows, settle, startTestService, TestService } from '../support/service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => t.stop());

const idLess: Array<[string, object]> = [
  [
    'balance.available',
    {
      object: 'balance',
      available: [{ amount: 125_000, currency: 'usd', source_types: { card: 125_000 } }],
      pending: [],
      livemode: false,
    },
  ],
  [
    'invoice.upcoming',
    {
      object: 'invoice',
      customer: 'cus_IdLess1',
      amount_due: 2000,
      currency: 'usd',
      status: 'draft',
      lines: { object: 'list', data: [], has_more: false },
    },
  ],
];

test.each(idLess)('%s is answered 200 and completes without a row', async (type, object) => {
  const evt = build.event(type, object);
  expect((await t.deliver(evt)).status).toBe(200);
  await settle(t);
  const job = await t.service.eventQueues!.getJob(evt.id);
  expect(await job!.getState()).toBe('completed');
  expect(job!.returnvalue).toBe('ignored');
  expect(await rows(t, 'stripe_objects')).toEqual([]);
  expect(await rows(t, 'invoices')).toEqual([]);
});

const summary = (customer: string, keys: string[]) => ({
  object: 'entitlements.active_entitlement_summary',
  customer,
  livemode: false,
  entitlements: {
    object: 'list',
    has_more: false,
    url: '/v1/entitlements/active_entitlements',
    data: keys.map((k) => ({
      id: `ent_${k}`,
      object: 'entitlements.active_entitlement',
      feature: `feat_${k}`,
      lookup_key: k,
      livemode: false,
    })),
  },
});

test('entitlement summaries out of order and duplicated leave the newest set', async () => {
  const cus = 'cus_Ent0001';
  const older = build.event(
    'entitlements.active_entitlement_summary.updated',
    summary(cus, ['sso', 'reports', 'api']),
    { created: 1_700_000_100 },
  );
  const newest = build.event('entitlements.active_entitlement_summary.updated', summary(cus, ['reports']), {
    created: 1_700_000_200,
  });
  for (const e of [newest, older, newest, older]) expect((await t.deliver(e)).status).toBe(200);
  await settle(t);
  const stored = await t.service.dataSource.query(
    'SELECT lookup_key, stripe_feature_id FROM customer_entitlements WHERE stripe_customer_id = $1',
    [cus],
  );
  expect(stored).toEqual([{ lookup_key: 'reports', stripe_feature_id: 'feat_reports' }]);
  const empty = build.event('entitlements.active_entitlement_summary.updated', summary(cus, []), {
    created: 1_700_000_300,
  });
  await t.deliver(empty);
  await settle(t);
  expect(
    await t.service.dataSource.query('SELECT 1 FROM customer_entitlements WHERE stripe_customer_id = $1', [cus]),
  ).toEqual([]);
});

test("a summary with has_more is completed from Stripe's list: every entitlement is stored", async () => {
  const cus = 'cus_EntMore1';
  const all = Array.from({ length: 150 }, (_, n) => ({
    id: `ent_More${n}`,
    feature: `feat_More${n}`,
    lookup_key: `feature_${String(n).padStart(3, '0')}`,
  }));
  t.standIn.setEntitlements(cus, all);
  const firstPage = build.entitlementSummaryEvent(cus, all.slice(0, 2), { hasMore: true, created: 1_700_000_500 });
  expect((await t.deliver(firstPage)).status).toBe(200);
  await settle(t);
  const stored = await t.service.dataSource.query(
    'SELECT count(*)::int AS n FROM customer_entitlements WHERE stripe_customer_id = $1',
    [cus],
  );
  expect(stored).toEqual([{ n: 150 }]);
  const lists = t.standIn.requests.filter((r) => r.path === '/v1/entitlements/active_entitlements');
  expect(lists.length).toBeGreaterThanOrEqual(2);
  expect(lists.every((r) => r.query.customer === cus)).toBe(true);
});
