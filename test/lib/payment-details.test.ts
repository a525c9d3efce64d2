/**
 * The payment-details rule (contract: no payment credentials or bank details kept anywhere) over
 * Stripe's own sample objects of every shape that holds payment method details or fields sharing
 * their names (fixtures/stripe-payment-shapes.json: each distinct shape of fixtures3.json at API
 * versions 2026-10-28, 2024-06-20 and 2020-08-27). The payment method types those samples lack:
 * payment-method-types.test.ts.
 */
import { withoutPaymentDetails } from '../../src/lib/payment-details';
import shapes from './fixtures/stripe-payment-shapes.json';

type Json = Record<string, unknown>;

/** Contract and issue 23: payment data wherever it sits. */
const NEVER = new Set([
  'last4',
  'dynamic_last4',
  'iban_last4',
  'exp_month',
  'exp_year',
  'fingerprint',
  'iin',
  'cvc',
  'cardholder_name',
  'emv_auth_data',
  'iban',
  'bic',
  'routing_number',
  'account_number',
  'bsb_number',
  'sort_code',
  'account_holder_name',
  'billing_details',
]);
/** Payment data only inside a payment instrument or its details; elsewhere these names mean something else. */
const HOLDER = new Set(['number', 'name', 'verified_name', 'receipt', 'owner', 'billing_address', 'shipping_address']);
/** Where Stripe puts payment method details: under these keys, and in objects of these types. */
const DETAIL_KEY =
  /^(payment_method_(details|preview)|\w+_payment_method_details|card|card_present|wallet|sources|external_accounts|bank_account|bank_transfer|financial_addresses|ach_credit_transfer|ach_debit|sepa_debit|us_bank_account)$/;
const INSTRUMENTS = new Set([
  'payment_method',
  'card',
  'bank_account',
  'source',
  'token',
  'alipay_account',
  'three_d_secure',
  'issuing.card',
  'issuing.cardholder',
  'issuing.token',
  'financial_connections.account',
  'financial_connections.account_owner',
]);

interface Leaf {
  path: string;
  value: unknown;
  /** Under payment method details (DETAIL_KEY or an INSTRUMENTS object), outside metadata. */
  inDetails: boolean;
  /** Some key on the path is a NEVER name. */
  never: boolean;
  key: string;
}

/** Every leaf (and every key, as a leaf of its own when it holds an object) of `value`. */
function leaves(value: unknown, path = '', inDetails = false, never = false, key = ''): Leaf[] {
  if (value === null || typeof value !== 'object') return [{ path, value, inDetails, never, key }];
  const here = inDetails || INSTRUMENTS.has(String((value as Json).object));
  const own: Leaf[] = key ? [{ path, value: Array.isArray(value) ? '[]' : '{}', inDetails, never, key }] : [];
  return own.concat(
    Object.entries(value).flatMap(([k, v]) => {
      const below = Array.isArray(value) ? here : k !== 'metadata' && (here || DETAIL_KEY.test(k));
      return leaves(v, `${path}.${k}`, below, never || NEVER.has(k), Array.isArray(value) ? key : k);
    }),
  );
}

const samples = Object.entries(shapes as unknown as Record<string, Json[]>)
  .filter(([resource]) => resource !== '_source')
  .flatMap(([resource, list]) => list.map((shape, i) => [`${resource}#${i}`, shape] as const));

test('the samples cover every payment method type they hold', () => {
  const types = new Set(
    samples.flatMap(([, s]) =>
      leaves(s)
        .filter((l) => l.inDetails)
        .map((l) => l.key),
    ),
  );
  for (const t of ['card', 'us_bank_account', 'ach_credit_transfer', 'ach_debit', 'sepa_debit', 'eu_bank_transfer'])
    expect(types).toContain(t);
  expect(samples.length).toBeGreaterThan(80);
});

test.each(samples)('%s: no payment data remains, every other field survives unchanged', (_, sample) => {
  const before = JSON.stringify(sample);
  const clean = withoutPaymentDetails(sample);
  expect(JSON.stringify(sample)).toBe(before);
  const after = new Map(leaves(clean).map((l) => [l.path, l]));
  for (const l of after.values()) {
    expect([l.path, NEVER.has(l.key)]).toEqual([l.path, false]);
    expect([l.path, l.inDetails && HOLDER.has(l.key)]).toEqual([l.path, false]);
  }
  for (const l of leaves(sample)) {
    if (after.has(l.path)) expect(after.get(l.path)!.value).toEqual(l.value);
    else expect([l.path, l.never || l.inDetails]).toEqual([l.path, true]);
  }
});

test('names shared with payment data stay where they are not payment data', () => {
  const kept = (resource: string, path: string[]) =>
    path.reduce<unknown>(
      (o, k) => (o as Json)[k],
      withoutPaymentDetails((shapes as unknown as Record<string, Json[]>)[resource][0]),
    );
  expect(kept('invoice', ['number'])).toBeDefined();
  expect(kept('credit_note', ['number'])).toBe('ABCD-1234-CN-01');
  expect(kept('quote', ['number'])).toBeDefined();
  expect(kept('dispute', ['evidence'])).toHaveProperty('receipt');
  expect(kept('tax_id', ['verification'])).toHaveProperty('verified_name');
  const pm = withoutPaymentDetails({ id: 'pm_1', object: 'payment_method', metadata: { number: '7', name: 'x' } });
  expect(pm.metadata).toEqual({ number: '7', name: 'x' });
});

test('an object with nothing to drop is returned as is, and the input never changes', () => {
  const invoice = { id: 'in_1', object: 'invoice', number: 'ABC-0001', lines: { data: [{ id: 'il_1' }] } };
  expect(withoutPaymentDetails(invoice)).toBe(invoice);
  const pm = { id: 'pm_1', object: 'payment_method', card: { brand: 'visa', last4: '4242' }, metadata: {} };
  const clean = withoutPaymentDetails(pm);
  expect(clean).toEqual({ id: 'pm_1', object: 'payment_method', card: { brand: 'visa' }, metadata: {} });
  expect(clean.metadata).toBe(pm.metadata);
  expect(pm.card.last4).toBe('4242');
});
