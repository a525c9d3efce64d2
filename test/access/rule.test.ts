import { decideAccess, representativeStatus } from '../../src/access/rule';

const base = { known: true, nowSeconds: 1_000, graceSeconds: 0, invoices: [] };

describe('decideAccess', () => {
  test.each([
    ['active', true],
    ['trialing', true],
    ['past_due', false],
    ['unpaid', false],
    ['canceled', false],
    ['incomplete', false],
    ['incomplete_expired', false],
    ['paused', false],
  ])('a lone %s subscription gives access=%s', (status, access) => {
    expect(decideAccess({ ...base, subscriptions: [{ status }] })).toMatchObject({ access, status });
  });

  test('an unknown customer has no access and no status', () => {
    expect(decideAccess({ ...base, known: false, subscriptions: [] })).toEqual({
      access: false,
      status: null,
      reason: 'unknown_customer',
    });
  });

  test('a known customer without subscriptions has no access', () => {
    expect(decideAccess({ ...base, subscriptions: [] })).toMatchObject({ access: false, reason: 'no_subscription' });
  });

  test('one active subscription among canceled ones is enough', () => {
    const d = decideAccess({
      ...base,
      subscriptions: [{ status: 'canceled' }, { status: 'active' }, { status: 'past_due' }],
    });
    expect(d).toMatchObject({ access: true, status: 'active' });
  });

  test('a failed unpaid invoice restricts at once with no grace period', () => {
    const d = decideAccess({
      ...base,
      subscriptions: [{ status: 'active' }],
      invoices: [{ stripeId: 'in_1', paymentFailedAt: 1_000 }],
    });
    expect(d).toEqual({ access: false, status: 'active', reason: 'payment_failed:in_1' });
  });

  test('the grace period keeps access until it has run out', () => {
    const input = {
      ...base,
      graceSeconds: 60,
      subscriptions: [{ status: 'active' }],
      invoices: [{ stripeId: 'in_1', paymentFailedAt: 1_000 }],
    };
    expect(decideAccess({ ...input, nowSeconds: 1_059 })).toMatchObject({
      access: true,
      reason: 'payment_failed_in_grace_period',
    });
    expect(decideAccess({ ...input, nowSeconds: 1_060 })).toMatchObject({ access: false });
  });

  test('invoices that are not failing do not matter', () => {
    const d = decideAccess({
      ...base,
      subscriptions: [{ status: 'trialing' }],
      invoices: [{ stripeId: 'in_1', paymentFailedAt: null }],
    });
    expect(d).toMatchObject({ access: true, status: 'trialing' });
  });
});

test('representativeStatus prefers the status that grants access, then the most hopeful', () => {
  expect(representativeStatus([{ status: 'canceled' }, { status: 'past_due' }])).toBe('past_due');
  expect(representativeStatus([{ status: 'something_new' }, { status: 'canceled' }])).toBe('canceled');
  expect(representativeStatus([])).toBeNull();
});
