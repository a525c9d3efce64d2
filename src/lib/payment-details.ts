/**
 * What of a Stripe object is never kept (contract: no payment credentials or bank details in
 * PostgreSQL, in Redis job data, or in logs). A rule about where Stripe puts payment method details,
 * not a list of names to drop everywhere, so that fields which merely share a name (an invoice's,
 * quote's or credit note's `number`, a customer's `name`, a dispute's `receipt`) are kept:
 *
 *  1. Payment method details live in payment instruments (objects whose `object` is
 *     PAYMENT_OBJECTS: payment methods, cards, bank accounts, sources, tokens, issuing cards…) and
 *     under DETAIL_KEYS (`payment_method_details` and its `origin_`/`destination_`/`initiating_`
 *     kin, `card`, `card_present`, the bank and wallet sub-objects, `sources`, …). Inside them the
 *     holder's and the instrument's identifying fields (HOLDER_FIELDS: `number`, `name`,
 *     `receipt`, addresses, bank and branch codes…) are dropped.
 *  2. A few names hold payment data wherever Stripe uses them (ALWAYS: last 4 digits, expiry,
 *     fingerprints, IINs, IBANs, account and routing numbers, sort codes, EMV data, a payment
 *     method's `billing_details`…): dropped at any depth, merchant metadata included.
 *  `metadata` is the merchant's own: rule 1 does not reach into it (`metadata.number` stays).
 * Ids (`pm_…`, `card_…`) and non-identifying facts (brand, country, funding, network, checks,
 * wallet type, bank name) stay. Pure and copy-on-write: an object with nothing to drop is returned
 * as is (the webhook route, the worker and the mirror each run it), the input is never changed.
 */

/** Objects that are a payment instrument or its holder: everything identifying in them goes. */
const PAYMENT_OBJECTS = new Set([
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

/** Keys whose value is payment method details (or a list of instruments, or bank transfer details). */
const DETAIL_KEYS = new Set([
  'payment_method_details',
  'payment_method_preview',
  'payment_method_data',
  'card',
  'card_present',
  'interac_present',
  'wallet',
  'sources',
  'external_accounts',
  'bank_account',
  'bank_transfer',
  'financial_addresses',
  'ach_credit_transfer',
  'ach_debit',
  'acss_debit',
  'au_becs_debit',
  'bacs_debit',
  'nz_bank_account',
  'sepa_credit_transfer',
  'sepa_debit',
  'us_bank_account',
]);

/** Inside payment method details: who holds the instrument, and what identifies it. */
const HOLDER_FIELDS = new Set([
  'number',
  'name',
  'email',
  'phone',
  'phone_number',
  'verified_name',
  'verified_email',
  'verified_phone',
  'verified_address',
  'receipt',
  'owner',
  'address',
  'address_line1',
  'address_line2',
  'address_city',
  'address_state',
  'address_zip',
  'address_country',
  'account_holder_address',
  'billing_address',
  'shipping_address',
  'bank_code',
  'branch_code',
  'suffix',
  'expiry_date',
  'tax_id',
  'payer_email',
  'payer_id',
  'payer_name',
  'buyer_id',
  'cashtag',
  'vpa',
  'sender_name',
]);

/** Payment data wherever it appears. */
const ALWAYS = new Set([
  'cvc',
  'last4',
  'exp_month',
  'exp_year',
  'fingerprint',
  'iin',
  'cardholder_name',
  'emv_auth_data',
  'iban',
  'bic',
  'swift_code',
  'routing_number',
  'account_number',
  'account_numbers',
  'bsb_number',
  'sort_code',
  'institution_number',
  'transit_number',
  'clabe',
  'account_holder_name',
  'billing_details',
]);

const dropped = (key: string, inDetails: boolean): boolean =>
  ALWAYS.has(key) || key.endsWith('_last4') || (inDetails && HOLDER_FIELDS.has(key));

/** Whether the value under `key` is payment method details, given whether its parent is. */
function detailsBelow(key: string, inDetails: boolean): boolean {
  if (key === 'metadata') return false;
  return inDetails || DETAIL_KEYS.has(key) || key.endsWith('_payment_method_details');
}

/** `value` without payment method details (see the header); `value` itself when nothing is dropped. */
export function withoutPaymentDetails<T>(value: T): T {
  return clean(value, false) as T;
}

function clean(value: unknown, inDetails: boolean): unknown {
  if (Array.isArray(value)) return cleanArray(value, inDetails);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const here = inDetails || (typeof record.object === 'string' && PAYMENT_OBJECTS.has(record.object));
  const keys = Object.keys(record);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const drop = dropped(key, here);
    const next = drop ? undefined : clean(record[key], detailsBelow(key, here));
    if (out === undefined && (drop || next !== record[key])) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]] = record[keys[j]];
    }
    if (out !== undefined && !drop) out[key] = next;
  }
  return out ?? record;
}

function cleanArray(list: readonly unknown[], inDetails: boolean): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const next = clean(list[i], inDetails);
    if (next !== list[i]) (out ??= list.slice())[i] = next;
  }
  return out ?? list;
}
