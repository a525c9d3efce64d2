/** Pure pieces of the operator features: auth compare, portal flow_data, pacing, log fields. */
import { basicAuthMatches } from '../../src/admin/guard';
import { portalFlowData, portalRequestSchema } from '../../src/api/portal';
import { eventLogFields } from '../../src/events/log-fields';
import { RateLimiter } from '../../src/lib/rate-limiter';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

test.each([
  [basic('ops:secret'), true],
  [basic('ops:secret:with:colons'), false],
  [basic('ops:Secret'), false],
  [basic('Ops:secret'), false],
  [basic('opssecret'), false],
  ['Bearer ops:secret', false],
  [undefined, false],
])('basic auth %s → %s', (header, ok) => {
  expect(basicAuthMatches(header, 'ops', 'secret')).toBe(ok);
});

test('a password may itself contain colons', () => {
  expect(basicAuthMatches(basic('ops:a:b'), 'ops', 'a:b')).toBe(true);
});

test('portal flow_data per flow type', () => {
  const req = (flow?: string, extra = {}) =>
    portalRequestSchema.parse({ return_url: 'https://x.example', flow, ...extra });
  expect(portalFlowData(req(), undefined)).toBeUndefined();
  expect(portalFlowData(req('customer_update'), undefined)).toEqual({
    type: 'customer_update',
    after_completion: { type: 'redirect', redirect: { return_url: 'https://x.example' } },
  });
  expect(portalFlowData(req('subscription_pause'), 'sub_1')).toMatchObject({
    subscription_pause: { subscription: 'sub_1' },
  });
  expect(() => portalFlowData(req('subscription_cancel'), undefined)).toThrow(/needs a subscription/);
});

test('the rate limiter spaces calls 1000/perSecond ms apart', async () => {
  let now = 0;
  const waits: number[] = [];
  const limiter = new RateLimiter(
    4,
    async (ms) => {
      waits.push(ms);
    },
    () => now,
  );
  for (let i = 0; i < 4; i++) await limiter.acquire();
  expect(waits).toEqual([250, 500, 750]);
  now = 10_000;
  await limiter.acquire();
  expect(waits).toHaveLength(3);
});

test('job log fields carry ids only, never the payload', () => {
  const event = {
    id: 'evt_1',
    type: 'invoice.paid',
    data: { object: { id: 'in_1', object: 'invoice', customer: 'cus_1', customer_email: 'a@b.c' } },
  };
  expect(eventLogFields(event)).toEqual({ eventId: 'evt_1', eventType: 'invoice.paid', customerId: 'cus_1' });
  expect(
    eventLogFields({ id: 'evt_2', type: 'customer.created', data: { object: { id: 'cus_2', object: 'customer' } } })
      .customerId,
  ).toBe('cus_2');
  expect(eventLogFields({ data: { object: { customer: { id: 'cus_3' } } } })).toEqual({ customerId: 'cus_3' });
  expect(eventLogFields('garbage')).toEqual({});
});
