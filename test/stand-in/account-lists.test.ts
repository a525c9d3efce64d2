/** The stand-in's account-level lists (what `npm run doctor` reads), through the real `stripe` SDK. */
import Stripe from 'stripe';
import { billingMeter, portalConfiguration, webhookEndpoint } from '../../stand-in/account-objects';
import { StripeStandIn } from '../../stand-in/index';

let standIn: StripeStandIn;
let stripe: Stripe;

beforeAll(async () => {
  standIn = await StripeStandIn.start();
  stripe = new Stripe('sk_test_standin', {
    host: '127.0.0.1',
    port: standIn.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
});

afterAll(() => standIn.close());

beforeEach(() => standIn.reset());

test('webhook endpoints, meters and portal configurations are listed in Stripe list format, paginated', async () => {
  const endpoints = [1, 2, 3].map((n) =>
    webhookEndpoint({ created: 1_800_000_000 + n, url: `https://e${n}.example.com/webhooks/stripe` }),
  );
  endpoints.forEach((e) => standIn.put(e));
  const meter = billingMeter({ event_name: 'api_calls', livemode: true });
  standIn.put(meter);
  standIn.put(portalConfiguration());

  const firstPage = await stripe.webhookEndpoints.list({ limit: 2 });
  expect(firstPage).toMatchObject({ object: 'list', has_more: true, url: '/v1/webhook_endpoints' });
  const all = await stripe.webhookEndpoints.list({ limit: 2 }).autoPagingToArray({ limit: 10 });
  expect(all.map((e) => e.url)).toEqual([
    'https://e3.example.com/webhooks/stripe',
    'https://e2.example.com/webhooks/stripe',
    'https://e1.example.com/webhooks/stripe',
  ]);
  expect(all[0]).toMatchObject({
    object: 'webhook_endpoint',
    status: 'enabled',
    enabled_events: ['*'],
    livemode: false,
  });

  const meters = await stripe.billing.meters.list();
  expect(meters.data).toEqual([
    expect.objectContaining({
      id: meter.id,
      object: 'billing.meter',
      event_name: 'api_calls',
      status: 'active',
      livemode: true,
    }),
  ]);
  const configurations = await stripe.billingPortal.configurations.list();
  expect(configurations.data).toEqual([
    expect.objectContaining({ object: 'billing_portal.configuration', is_default: true, active: true }),
  ]);
  expect(standIn.unexpected).toEqual([]);
});

test('a filter the stand-in does not implement is refused, not ignored', async () => {
  standIn.put(billingMeter({ event_name: 'x', status: 'inactive' }));
  await expect(stripe.billing.meters.list({ status: 'active' })).rejects.toMatchObject({
    statusCode: 400,
    param: 'status',
    code: 'parameter_unknown',
  });
});
