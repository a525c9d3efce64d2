/** Links into Stripe's Dashboard, by mode and type. */
import { dashboardUrl, isLiveKey, stripeLink, typeOfId } from '../../src/admin/dashboard';

test('test-mode and live-mode paths', () => {
  expect(dashboardUrl('cus_A1', false)).toBe('https://dashboard.stripe.com/test/customers/cus_A1');
  expect(dashboardUrl('cus_A1', true)).toBe('https://dashboard.stripe.com/customers/cus_A1');
  expect(dashboardUrl('in_1', true)).toBe('https://dashboard.stripe.com/invoices/in_1');
  expect(dashboardUrl('pi_1', false)).toBe('https://dashboard.stripe.com/test/payments/pi_1');
  expect(dashboardUrl('sub_sched_1', false)).toBe(
    'https://dashboard.stripe.com/test/subscription_schedules/sub_sched_1',
  );
});

test('an id of an unknown type opens the Dashboard search; ids are encoded', () => {
  expect(dashboardUrl('txi_1', false)).toBe('https://dashboard.stripe.com/test/search?query=txi_1');
  expect(dashboardUrl('x/"y', false, 'customer')).toBe('https://dashboard.stripe.com/test/customers/x%2F%22y');
  expect(typeOfId('sub_sched_1')).toBe('subscription_schedule');
  expect(typeOfId('sub_1')).toBe('subscription');
});

test('live mode follows the secret key', () => {
  expect(isLiveKey('sk_live_abc')).toBe(true);
  expect(isLiveKey('rk_live_abc')).toBe(true);
  expect(isLiveKey('sk_test_abc')).toBe(false);
});

test('a link shows the id as escaped text, nothing for a missing id', () => {
  expect(stripeLink('in_<b>', false).text).toMatch(/>\s*in_&lt;b&gt;\s*<\/a/);
  expect(stripeLink(null, false).text).toContain('—');
});
