/**
 * The one mapping of access rows to answers (src/access/inputs.ts) that the access API and the
 * event transaction's access step share: rows as pg returns them (bigint columns as text), several
 * customers' rows mixed in one result, and the statements both readers send.
 */
import {
  accessReadStatements,
  computedAccessOf,
  ruleReadStatements,
  storedAccessOf,
  storedReadStatement,
} from '../../src/access/inputs';

const NOW = 1_800_000_000;
const customers = [
  { customer: 'cus_A', deleted: false },
  { customer: 'cus_D', deleted: true },
];
const subscriptions = [
  { customer: 'cus_A', status: 'past_due' },
  { customer: 'cus_A', status: 'active' },
  { customer: 'cus_B', status: 'trialing' },
  { customer: 'cus_D', status: 'active' },
];
const invoices = [
  { customer: 'cus_A', stripe_id: 'in_late', payment_failed_at: String(NOW - 50) },
  { customer: 'cus_A', stripe_id: 'in_ok', payment_failed_at: null },
  { customer: 'cus_B', stripe_id: 'in_B', payment_failed_at: String(NOW - 5) },
];
const rows = [customers, subscriptions, invoices] as const;

describe('computedAccessOf', () => {
  test('takes only its own customer’s rows, bigint text read as seconds, with the grace end', () => {
    expect(computedAccessOf('cus_A', rows, NOW, 100)).toEqual({
      access: true,
      status: 'active',
      reason: 'payment_failed_in_grace_period',
      graceEndsAt: NOW + 50,
    });
    expect(computedAccessOf('cus_A', rows, NOW, 10)).toEqual({
      access: false,
      status: 'active',
      reason: 'payment_failed:in_late',
      graceEndsAt: null,
    });
  });

  test('subscriptions without a customer row still count; a deleted customer never has access', () => {
    expect(computedAccessOf('cus_B', rows, NOW, 10)).toEqual({
      access: true,
      status: 'trialing',
      reason: 'payment_failed_in_grace_period',
      graceEndsAt: NOW + 5,
    });
    expect(computedAccessOf('cus_D', rows, NOW, 10)).toEqual({
      access: false,
      status: null,
      reason: 'customer_deleted',
      graceEndsAt: null,
    });
  });

  test('a customer with no rows at all is unknown', () => {
    expect(computedAccessOf('cus_Z', rows, NOW, 10)).toEqual({
      access: false,
      status: null,
      reason: 'unknown_customer',
      graceEndsAt: null,
    });
  });
});

describe('storedAccessOf', () => {
  const stored = [
    { customer: 'cus_A', access: true, status: 'active', reason: 'x', version: '7', grace_ends_at: String(NOW) },
    { customer: 'cus_B', access: false, status: null, reason: 'unknown_customer', version: 1, grace_ends_at: null },
  ];

  test('maps its own customer’s row, bigint text as numbers, or null when none is stored', () => {
    expect(storedAccessOf('cus_A', stored)).toEqual({
      access: true,
      status: 'active',
      reason: 'x',
      graceEndsAt: NOW,
      version: 7,
    });
    expect(storedAccessOf('cus_B', stored)).toEqual({
      access: false,
      status: null,
      reason: 'unknown_customer',
      graceEndsAt: null,
      version: 1,
    });
    expect(storedAccessOf('cus_C', stored)).toBeNull();
  });
});

describe('the statements', () => {
  test('the access step reads the rule’s three and the stored answers locked; the API reads them unlocked', () => {
    const step = accessReadStatements(['cus_A', 'cus_B']);
    expect(step.slice(0, 3)).toEqual(ruleReadStatements(['cus_A', 'cus_B']));
    expect(step[3].sql).toMatch(/FROM customer_access WHERE stripe_customer_id IN \(\$1, \$2\) FOR UPDATE$/);
    expect(step.every((s) => s.values.join() === 'cus_A,cus_B')).toBe(true);
    expect(storedReadStatement(['cus_A'], false).sql).not.toMatch(/FOR UPDATE/);
    expect(ruleReadStatements(['cus_A']).map((s) => s.sql.match(/FROM (\w+)/)?.[1])).toEqual([
      'customers',
      'subscriptions',
      'invoices',
    ]);
  });
});
