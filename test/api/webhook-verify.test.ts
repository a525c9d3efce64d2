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
