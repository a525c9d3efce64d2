/** The stand-in's resource table: paths match the right resource, nested paths give their customer. */
import { idPrefixOf, matchResource, RESOURCES, typeOfId } from '../../stand-in/resources';

describe('matchResource', () => {
  it('matches list and retrieve paths, including nested and two-segment ones', () => {
    expect(matchResource('/v1/charges')).toMatchObject({ spec: { type: 'charge' }, params: {}, id: undefined });
    expect(matchResource('/v1/charges/ch_1')).toMatchObject({ spec: { type: 'charge' }, id: 'ch_1' });
    expect(matchResource('/v1/checkout/sessions/cs_test_1')).toMatchObject({
      spec: { type: 'checkout.session' },
      id: 'cs_test_1',
    });
    expect(matchResource('/v1/customers/cus_1/balance_transactions')).toMatchObject({
      spec: { type: 'customer_balance_transaction' },
      params: { customer: 'cus_1' },
      id: undefined,
    });
    expect(matchResource('/v1/customers/cus_1/tax_ids/txi_1')).toMatchObject({
      spec: { type: 'tax_id' },
      params: { customer: 'cus_1' },
      id: 'txi_1',
    });
    expect(matchResource('/v1/customers/cus_1')).toMatchObject({ spec: { type: 'customer' }, id: 'cus_1' });
  });

  it('does not match paths outside the table', () => {
    expect(matchResource('/v1/accounts')).toBeUndefined();
    expect(matchResource('/v1/charges/ch_1/refunds/re_1')).toBeUndefined();
    expect(matchResource('/v2/billing/meter_event_stream')).toBeUndefined();
  });
});

describe('ids', () => {
  it('maps id prefixes to types, the longest prefix winning', () => {
    expect(typeOfId('sub_sched_1')).toBe('subscription_schedule');
    expect(typeOfId('sub_1')).toBe('subscription');
    expect(typeOfId('cus_1')).toBe('customer');
    expect(typeOfId('zzz_1')).toBeUndefined();
    expect(idPrefixOf('dispute')).toBe('dp');
    expect(idPrefixOf('unknown.type')).toBe('obj');
  });

  it('has one row per path', () => {
    expect(new Set(RESOURCES.map((r) => r.path)).size).toBe(RESOURCES.length);
  });
});
