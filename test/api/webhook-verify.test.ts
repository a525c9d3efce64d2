import Stripe from 'stripe';
import { verifyWebhook } from '../../src/api/webhook-verify';
import { customer, event, signWebhook } from '../../stand-in/events';

const secrets = ['whsec_old', 'whsec_new'];
const body = JSON.stringify(event('customer.created', customer()));
const now = Math.floor(Date.now() / 1000);

test('accepts a signature made with any configured secret (rotation)', () => {
  for (const secret of secrets) {
    const result = verifyWebhook(Buffer.from(body), signWebhook(body, secret, now), secrets, now);
    expect(result.ok).toBe(true);
  }
});

test.each([
  ['missing header', undefined, /missing/],
  ['wrong secret', signWebhook(body, 'whsec_other', now), /invalid signature/],
  ['stale timestamp', signWebhook(body, 'whsec_new', now - 301), /invalid signature/],
  ['garbage header', 't=1,v1=zz', /invalid signature/],
])('rejects %s', (_name, header, reason) => {
  const result = verifyWebhook(Buffer.from(body), header, secrets, now);
  expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
});

test('rejects a body changed after signing', () => {
  const header = signWebhook(body, 'whsec_new', now);
  expect(
    verifyWebhook(Buffer.from(body.replace('customer.created', 'customer.deleted')), header, secrets, now).ok,
  ).toBe(false);
});

test('rejects signed bodies that are not JSON or not events', () => {
  for (const [raw, reason] of [
    ['{not json', /not valid JSON/],
    ['{"id":"cus_1","object":"customer"}', /not a Stripe event/],
  ] as const) {
    expect(verifyWebhook(Buffer.from(raw), signWebhook(raw, 'whsec_new', now), secrets, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(reason),
    });
  }
});

describe('thin event notifications', () => {
  const stripe = new Stripe('sk_test_parse_only');
  const thin = (fields: Record<string, unknown> = {}) =>
    JSON.stringify({
      id: 'evt_test_65R9Ijk8',
      object: 'v2.core.event',
      type: 'v1.billing.meter.error_report_triggered',
      created: '2026-11-02T10:00:00.000Z',
      livemode: false,
      related_object: { id: 'mtr_1', type: 'billing.meter', url: '/v1/billing/meters/mtr_1' },
      ...fields,
    });

  test('accepted with any configured secret, parsed by stripe-node', () => {
    for (const secret of secrets) {
      const raw = thin();
      const result = verifyWebhook(Buffer.from(raw), signWebhook(raw, secret, now), secrets, now, stripe);
      expect(result).toMatchObject({ ok: true, thin: { id: 'evt_test_65R9Ijk8', type: expect.any(String) } });
    }
  });

  test.each([
    ['a bad id', { id: 'cus_1' }, /id: must be an evt_ id/],
    ['no type', { type: '' }, /type/],
    ['a created that is not a time', { created: 12 }, /created/],
  ])('refuses %s', (_name, fields, reason) => {
    const raw = thin(fields);
    expect(verifyWebhook(Buffer.from(raw), signWebhook(raw, 'whsec_old', now), secrets, now, stripe)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(reason),
    });
  });

  test('a wrong signature or no parser is refused', () => {
    const raw = thin();
    expect(verifyWebhook(Buffer.from(raw), signWebhook(raw, 'whsec_x', now), secrets, now, stripe).ok).toBe(false);
    expect(verifyWebhook(Buffer.from(raw), signWebhook(raw, 'whsec_old', now), secrets, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no Stripe client/),
    });
  });
});
