/**
 * The stand-in's webhook endpoint writes and v2 event destinations, through the real `stripe` SDK:
 * secrets only at creation, `api_version` fixed at creation, includable URL and secret, the v2 list
 * shape with pages, the SDK's idempotency keys replayed.
 */
import Stripe from 'stripe';
import { eventDestination, webhookEndpoint } from '../../stand-in/account-objects';
import { StripeStandIn } from '../../stand-in/index';

let standIn: StripeStandIn;
let stripe: Stripe;
const URL = 'https://billing.example.com/webhooks/stripe';
const THIN = ['v1.billing.meter.error_report_triggered', 'v1.billing.meter.no_meter_found'];

beforeAll(async () => {
  standIn = await StripeStandIn.start({ apiKey: 'sk_test_standin' });
  stripe = new Stripe('sk_test_standin', { host: '127.0.0.1', port: standIn.port, protocol: 'http' });
});

afterAll(() => standIn.close());

beforeEach(() => standIn.reset());

test('a webhook endpoint: the secret only in the create answer, api_version fixed, updates of what Stripe allows', async () => {
  const created = await stripe.webhookEndpoints.create({
    url: URL,
    enabled_events: ['customer.created', 'invoice.paid'],
    api_version: '2026-10-28.endive',
    metadata: { managed_by: 'me' },
  });
  expect(created).toMatchObject({
    object: 'webhook_endpoint',
    url: URL,
    status: 'enabled',
    api_version: '2026-10-28.endive',
    enabled_events: ['customer.created', 'invoice.paid'],
    metadata: { managed_by: 'me' },
    secret: expect.stringMatching(/^whsec_/),
  });
  const fetched = await stripe.webhookEndpoints.retrieve(created.id);
  expect(fetched.secret).toBeUndefined();
  expect((await stripe.webhookEndpoints.list()).data.map((e) => [e.id, e.secret])).toEqual([[created.id, undefined]]);

  const updated = await stripe.webhookEndpoints.update(created.id, {
    enabled_events: ['*'],
    disabled: true,
    description: 'moved',
    metadata: { team: 'billing', managed_by: '' },
    url: 'https://b2.example.com/webhooks/stripe',
  });
  expect(updated).toMatchObject({
    enabled_events: ['*'],
    status: 'disabled',
    description: 'moved',
    metadata: { team: 'billing' },
    url: 'https://b2.example.com/webhooks/stripe',
    api_version: '2026-10-28.endive',
  });
  expect(updated.secret).toBeUndefined();
  await expect(
    stripe.webhookEndpoints.update(created.id, { api_version: '2020-03-02' } as Stripe.WebhookEndpointUpdateParams),
  ).rejects.toMatchObject({ statusCode: 400, param: 'api_version', code: 'parameter_unknown' });
  expect(standIn.get<Stripe.WebhookEndpoint>(created.id)?.api_version).toBe('2026-10-28.endive');

  expect(await stripe.webhookEndpoints.del(created.id)).toEqual(
    expect.objectContaining({ id: created.id, deleted: true }),
  );
  await expect(stripe.webhookEndpoints.retrieve(created.id)).rejects.toMatchObject({ statusCode: 404 });
  await expect(stripe.webhookEndpoints.del(created.id)).rejects.toMatchObject({ statusCode: 404 });
  expect(standIn.unexpected).toEqual([]);
});

test('webhook endpoints: required parameters, no api_version means the account default, at most 16', async () => {
  await expect(
    stripe.webhookEndpoints.create({ url: URL } as Stripe.WebhookEndpointCreateParams),
  ).rejects.toMatchObject({ statusCode: 400, param: 'enabled_events' });
  expect((await stripe.webhookEndpoints.create({ url: URL, enabled_events: ['*'] })).api_version).toBeNull();
  for (let i = 0; i < 15; i++) standIn.put(webhookEndpoint({ url: `https://e${i}.example.com/hook` }));
  await expect(stripe.webhookEndpoints.create({ url: URL, enabled_events: ['*'] })).rejects.toMatchObject({
    statusCode: 400,
    message: expect.stringContaining('maximum of 16'),
  });
});

test('the SDK’s idempotency key replays a create instead of making a second endpoint', async () => {
  const params = { url: URL, enabled_events: ['*'] as const };
  const first = await stripe.webhookEndpoints.create({ ...params, enabled_events: ['*'] }, { idempotencyKey: 'k1' });
  const again = await stripe.webhookEndpoints.create({ ...params, enabled_events: ['*'] }, { idempotencyKey: 'k1' });
  expect(again.id).toBe(first.id);
  expect(standIn.list('webhook_endpoint')).toHaveLength(1);
});

test('an event destination: the signing secret only at creation and only when included; the URL only when included', async () => {
  const created = await stripe.v2.core.eventDestinations.create({
    name: 'meter errors',
    type: 'webhook_endpoint',
    event_payload: 'thin',
    enabled_events: THIN,
    events_from: ['@self'],
    webhook_endpoint: { url: URL },
    metadata: { managed_by: 'me' },
    include: ['webhook_endpoint.signing_secret'],
  });
  expect(created).toMatchObject({
    id: expect.stringMatching(/^ed_/),
    object: 'v2.core.event_destination',
    status: 'enabled',
    event_payload: 'thin',
    enabled_events: THIN,
    metadata: { managed_by: 'me' },
    webhook_endpoint: { signing_secret: expect.stringMatching(/^whsec_/), url: null },
  });
  expect((await stripe.v2.core.eventDestinations.retrieve(created.id)).webhook_endpoint).toEqual({
    signing_secret: null,
    url: null,
  });
  const withUrl = await stripe.v2.core.eventDestinations.retrieve(created.id, { include: ['webhook_endpoint.url'] });
  expect(withUrl.webhook_endpoint).toEqual({ signing_secret: null, url: URL });
  await expect(
    stripe.v2.core.eventDestinations.retrieve(created.id, { include: ['webhook_endpoint.signing_secret'] }),
  ).rejects.toMatchObject({ statusCode: 400 });

  const updated = await stripe.v2.core.eventDestinations.update(created.id, {
    enabled_events: [THIN[0]],
    include: ['webhook_endpoint.url'],
  });
  expect(updated).toMatchObject({ enabled_events: [THIN[0]], webhook_endpoint: { url: URL, signing_secret: null } });
  await stripe.v2.core.eventDestinations.del(created.id);
  await expect(stripe.v2.core.eventDestinations.retrieve(created.id)).rejects.toMatchObject({ statusCode: 404 });
  expect(standIn.unexpected).toEqual([]);
});

test('event destinations list in the v2 shape, page by page, with the URL when included', async () => {
  const stored = [1, 2, 3].map((n) => eventDestination({ webhook_endpoint: { url: `https://e${n}.example.com/x` } }));
  stored.forEach((d) => standIn.put(d));
  const page = await stripe.v2.core.eventDestinations.list({ limit: 2 });
  expect(page).toMatchObject({ next_page_url: expect.stringContaining('page='), previous_page_url: null });
  expect(page.data.map((d) => d.webhook_endpoint?.url)).toEqual([null, null]);
  const all = await stripe.v2.core.eventDestinations
    .list({ limit: 2, include: ['webhook_endpoint.url'] })
    .autoPagingToArray({ limit: 10 });
  expect(all.map((d) => [d.id, d.webhook_endpoint?.url])).toEqual(stored.map((d) => [d.id, d.webhook_endpoint?.url]));
  expect(standIn.unexpected).toEqual([]);
});

test('v2 calls need the API key', async () => {
  const wrong = new Stripe('sk_test_wrong', { host: '127.0.0.1', port: standIn.port, protocol: 'http' });
  await expect(wrong.v2.core.eventDestinations.list()).rejects.toMatchObject({ statusCode: 401 });
});
