/** Stripe request paths → the route templates the metrics label them with (src/lib/stripe-route.ts). */
import { stripeRouteTemplate } from '../../src/lib/stripe-route';

test.each([
  ['/v1/customers/cus_NffrFeUfNV2Hib', '/v1/customers/:id'],
  ['/v1/billing_portal/sessions', '/v1/billing_portal/sessions'],
  ['/v2/billing/meter_event_stream', '/v2/billing/meter_event_stream'],
  ['/v1/subscriptions/sub_1MowQVLkdIwHu7ixeRlqHVzs?expand[]=x', '/v1/subscriptions/:id'],
  // About 8 % of customer ids have no digit: once kept as a label, a permanent series anyone could read.
  ['/v1/customers/cus_NffrFeUfNVaHib', '/v1/customers/:id'],
  ['/v1/customers/cus_abcdefghijklmn/sources/card_AbCdEf', '/v1/customers/:id/sources/:id'],
  ['/v1/coupons/SUMMER', '/v1/coupons/:id'],
  ['/v1/coupons/summer_sale', '/v1/coupons/:id'],
  ['/v1/billing/meters/mtr_test_61Q/event_summaries', '/v1/billing/meters/:id/event_summaries'],
  ['/v2/core/events/evt_test_abcdef', '/v2/core/events/:id'],
  ['/v1/invoices/in_Abc/pay', '/v1/invoices/:id/pay'],
  ['/v1/test_helpers/test_clocks/clock_Abc/advance', '/v1/test_helpers/test_clocks/:id/advance'],
  ['/v1/entitlements/active_entitlements', '/v1/entitlements/active_entitlements'],
  ['/v1/payment_methods/PM WITH SPACES', '/v1/payment_methods/:id'],
  [undefined, 'unknown'],
])('Stripe path label %s → %s', (path, label) => {
  expect(stripeRouteTemplate(path)).toBe(label);
});
