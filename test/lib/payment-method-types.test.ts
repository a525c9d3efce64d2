/**
 * The payment-details rule (src/lib/payment-details.ts) over the payment method types Stripe's
 * sample objects lack (payment-details.test.ts covers those), each on a charge, shaped after
 * Stripe's API reference: card_present, interac_present, iDEAL, SOFORT, Bancontact, giropay, EPS,
 * P24, BECS, Bacs, SEPA debit, SEPA and ACH credit transfers, ACSS, US bank accounts, card
 * wallets (Masterpass, Visa Checkout) and PayPal.
 */
import { withoutPaymentDetails } from '../../src/lib/payment-details';

type Json = Record<string, unknown>;

/** A charge paid with `type`, its details as Stripe's API reference shows them. */
const charge = (type: string, details: Json): Json => ({
  id: 'ch_1',
  object: 'charge',
  amount: 100,
  description: 'Invoice 42',
  metadata: { number: 'order-7' },
  payment_method_details: { type, [type]: details },
});
const holder = { name: 'Jenny Rosen', email: 'jenny@example.com' };
const address = { line1: '1234 Main Street', city: 'San Francisco', postal_code: '94111', country: 'US' };
const receipt = {
  account_type: 'credit',
  application_cryptogram: 'D1B2C3A4E5F60708',
  application_preferred_name: 'VISA CREDIT',
  authorization_code: '123456',
  cardholder_verification_method: 'offline_pin',
  dedicated_file_name: 'A0000000031010',
};
const present = {
  brand: 'visa',
  cardholder_name: 'JENNY ROSEN',
  emv_auth_data: '8A0230308A023030',
  exp_month: 12,
  exp_year: 2031,
  fingerprint: 'Xt5EWLLDS7FJjR1c',
  last4: '4242',
  network: 'visa',
  read_method: 'contact_emv',
  receipt,
};
const SECRETS = [
  'JENNY ROSEN',
  'Jenny Rosen',
  'jenny@example.com',
  '1234 Main Street',
  '8A0230308A023030',
  'D1B2C3A4E5F60708',
  'A0000000031010',
  '4242',
  '2031',
  'Xt5EWLLDS7FJjR1c',
  'INGBNL2A',
  '5264',
  '082902',
  '108800',
  '37040044',
  'DE89370400440532013000',
  'test_52796e3294dc',
  '110000000',
  '00000123',
  '11000',
  'H54KFE9XXVVYJ',
];

test.each([
  ['card_present', present, ['brand', 'network', 'read_method']],
  ['interac_present', present, ['brand', 'read_method']],
  ['ideal', { bank: 'ing', bic: 'INGBNL2A', iban_last4: '5264', verified_name: 'Jenny Rosen' }, ['bank']],
  [
    'sofort',
    {
      bank_code: 'DEUT',
      bank_name: 'Deutsche Bank',
      bic: 'INGBNL2A',
      iban_last4: '5264',
      verified_name: 'Jenny Rosen',
    },
    ['bank_name'],
  ],
  [
    'bancontact',
    { bank_name: 'VAN DE PUT & CO', bic: 'INGBNL2A', iban_last4: '5264', verified_name: 'Jenny Rosen' },
    ['bank_name'],
  ],
  ['giropay', { bank_name: 'Sparkasse', bic: 'INGBNL2A', verified_name: 'Jenny Rosen' }, ['bank_name']],
  ['eps', { bank: 'bank_austria', verified_name: 'Jenny Rosen' }, ['bank']],
  ['p24', { bank: 'ing', reference: 'P24-000-111-222', verified_name: 'Jenny Rosen' }, ['bank', 'reference']],
  [
    'au_becs_debit',
    { bsb_number: '082902', fingerprint: 'Xt5EWLLDS7FJjR1c', last4: '4242', mandate: 'mandate_1' },
    ['mandate'],
  ],
  ['bacs_debit', { sort_code: '108800', last4: '4242', mandate: 'mandate_2' }, ['mandate']],
  ['sepa_debit', { bank_code: '37040044', country: 'DE', last4: '4242', mandate: 'mandate_3' }, ['country', 'mandate']],
  [
    'sepa_credit_transfer',
    { bank_name: 'STRIPE TEST BANK', bic: 'INGBNL2A', iban: 'DE89370400440532013000' },
    ['bank_name'],
  ],
  [
    'ach_credit_transfer',
    {
      account_number: 'test_52796e3294dc',
      bank_name: 'TEST BANK',
      routing_number: '110000000',
      swift_code: 'TSTEZ122',
    },
    ['bank_name'],
  ],
  [
    'acss_debit',
    { bank_name: 'TD', institution_number: '00000123', last4: '4242', transit_number: '11000', mandate: 'm_1' },
    ['bank_name', 'mandate'],
  ],
  [
    'us_bank_account',
    { account_holder_type: 'individual', bank_name: 'STRIPE TEST BANK', last4: '4242', routing_number: '110000000' },
    ['account_holder_type', 'bank_name'],
  ],
  [
    'card',
    {
      brand: 'mastercard',
      last4: '4242',
      wallet: {
        type: 'masterpass',
        masterpass: { ...holder, billing_address: address, shipping_address: address },
        visa_checkout: { ...holder, billing_address: address, shipping_address: address },
      },
    },
    ['brand'],
  ],
  [
    'paypal',
    { country: 'US', payer_email: 'jenny@example.com', payer_id: 'H54KFE9XXVVYJ', payer_name: 'Jenny Rosen' },
    ['country'],
  ],
] as const)('%s: the holder and the instrument are gone, the facts stay', (type, details, facts) => {
  const clean = withoutPaymentDetails(charge(type, details));
  const text = JSON.stringify(clean);
  for (const secret of SECRETS) expect([type, text.includes(secret)]).toEqual([type, false]);
  const kept = (clean.payment_method_details as Json)[type] as Json;
  for (const fact of facts) expect(kept[fact]).toEqual((details as Json)[fact] ?? expect.anything());
  expect(clean).toMatchObject({ description: 'Invoice 42', metadata: { number: 'order-7' }, amount: 100 });
});
