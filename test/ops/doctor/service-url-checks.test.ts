/**
 * The doctor with PUBLIC_URL known (exact URL instead of the path rule), an endpoint superseded by a
 * right one for the same URL (Stripe's upgrade path), the event destination check, and the URL helpers.
 */
import {
  eventDestinationResult,
  missingMeterErrorTypes,
  type DestinationView,
} from '../../../src/ops/doctor/event-destinations';
import { formatResult } from '../../../src/ops/doctor/result';
import { webhookEndpointResults, type EndpointView } from '../../../src/ops/doctor/webhook-endpoints';
import { pointsAtService, sameUrl, serviceWebhookUrl } from '../../../src/ops/service-url';

const V = '2026-10-28.endive';
const HANDLED = ['customer.created', 'invoice.paid'];
const SERVICE = 'https://billing.example.com/webhooks/stripe';
const endpoint = (over: Partial<EndpointView>): EndpointView => ({
  id: 'we_1',
  url: SERVICE,
  status: 'enabled',
  api_version: V,
  enabled_events: ['*'],
  ...over,
});
const destination = (over: Partial<DestinationView> = {}): DestinationView => ({
  id: 'ed_1',
  type: 'webhook_endpoint',
  status: 'enabled',
  event_payload: 'thin',
  enabled_events: ['v1.billing.meter.error_report_triggered', 'v1.billing.meter.no_meter_found'],
  webhook_endpoint: { url: SERVICE },
  ...over,
});

test('the service URL: from a base (with or without the route or a trailing slash), compared by origin and path', () => {
  expect(serviceWebhookUrl('https://billing.example.com')).toBe(SERVICE);
  expect(serviceWebhookUrl('https://billing.example.com/')).toBe(SERVICE);
  expect(serviceWebhookUrl('https://example.com/billing/')).toBe('https://example.com/billing/webhooks/stripe');
  expect(serviceWebhookUrl(`${SERVICE}/`)).toBe(SERVICE);
  expect(sameUrl('https://BILLING.example.com:443/webhooks/stripe/', SERVICE)).toBe(true);
  expect(sameUrl('http://billing.example.com/webhooks/stripe', SERVICE)).toBe(false);
  expect(sameUrl('not a url', 'not a url')).toBe(false);
});

test('with PUBLIC_URL only the exact URL is this service; without it the path rule', () => {
  const elsewhere = 'https://staging.example.com/webhooks/stripe';
  expect(pointsAtService(elsewhere)).toBe(true);
  expect(pointsAtService(elsewhere, SERVICE)).toBe(false);
  expect(pointsAtService(SERVICE, SERVICE)).toBe(true);
  const lines = webhookEndpointResults(
    [endpoint({}), endpoint({ id: 'we_2', url: elsewhere, api_version: '2020-03-02' })],
    HANDLED,
    V,
    SERVICE,
  ).map(formatResult);
  expect(lines).toEqual([
    `ok  webhook endpoints: 1 of 2 point at this service (URL ${SERVICE})`,
    `ok  webhook endpoint we_1: ${SERVICE}: enabled, api_version ${V}, sends every event type the engine handles`,
    `ok  webhook endpoint we_2: ${elsewhere}: not this service (not ${SERVICE}), not checked`,
  ]);
  // With PUBLIC_URL known, setup needs no --url.
  expect(formatResult(webhookEndpointResults([endpoint({ api_version: '2024-06-20' })], HANDLED, V, SERVICE)[1])).toBe(
    `ok  webhook endpoint we_1: ${SERVICE}: enabled, api_version 2024-06-20 (read by the engine; \`npm run setup\` moves it to ${V}), sends every event type the engine handles`,
  );
  expect(formatResult(webhookEndpointResults([], HANDLED, V, SERVICE)[0])).toBe(
    `FAIL webhook endpoints: none of the account's 0 endpoint(s) points at this service (no URL ${SERVICE}) — run \`npm run setup\` (it creates one for ${SERVICE} and prints the STRIPE_WEBHOOK_SECRET to deploy)`,
  );
});

test('an old or disabled endpoint beside a right one for the same URL is superseded: ok, saying to remove it', () => {
  const results = webhookEndpointResults(
    [
      endpoint({ id: 'we_new' }),
      endpoint({ id: 'we_old', api_version: '2020-03-02', enabled_events: ['invoice.paid'] }),
      endpoint({ id: 'we_off', status: 'disabled' }),
    ],
    HANDLED,
    V,
  );
  expect(results.every((r) => r.ok)).toBe(true);
  expect(formatResult(results[2])).toBe(
    `ok  webhook endpoint we_old: ${SERVICE}: api_version 2020-03-02, 1 handled event type(s) not sent, superseded by we_new for the same URL: remove it once STRIPE_WEBHOOK_SECRET holds we_new's secret (\`npm run setup -- --remove-old\` removes those on another API version)`,
  );
  expect(formatResult(results[3])).toMatch(/^ok {2}webhook endpoint we_off: .*: disabled, superseded by we_new/);
  // Beside a right endpoint of another URL it is still a problem.
  const apart = webhookEndpointResults(
    [endpoint({ id: 'we_new', url: 'https://b.example.com/v2/webhooks/stripe' }), endpoint({ api_version: null })],
    HANDLED,
    V,
  );
  expect(apart.filter((r) => !r.ok).map((r) => r.check)).toEqual(['webhook endpoint we_1']);
});

test('event destination: both meter error types must reach this service through enabled thin destinations', () => {
  expect(formatResult(eventDestinationResult([destination()], SERVICE))).toBe(
    `ok  event destination: ed_1 send(s) v1.billing.meter.error_report_triggered, v1.billing.meter.no_meter_found to ${SERVICE} (thin)`,
  );
  const split = [
    destination({ id: 'ed_a', enabled_events: ['v1.billing.meter.no_meter_found'] }),
    destination({ id: 'ed_b', enabled_events: ['v1.billing.meter.error_report_triggered', 'v1.other'] }),
  ];
  expect(eventDestinationResult(split)).toMatchObject({ ok: true, detail: expect.stringMatching(/^ed_a, ed_b send/) });
  for (const wrong of [
    destination({ status: 'disabled' }),
    destination({ event_payload: 'snapshot' }),
    destination({ webhook_endpoint: { url: 'https://crm.example.com/hook' } }),
    destination({ type: 'amazon_eventbridge', webhook_endpoint: undefined }),
  ])
    expect(missingMeterErrorTypes([wrong])).toHaveLength(2);
  expect(
    missingMeterErrorTypes(
      [destination({ webhook_endpoint: { url: SERVICE } })],
      'https://x.example.com/webhooks/stripe',
    ),
  ).toHaveLength(2);
  expect(formatResult(eventDestinationResult([split[0]], SERVICE))).toBe(
    `FAIL event destination: no enabled event destination sends v1.billing.meter.error_report_triggered to ${SERVICE} (thin payloads): usage Stripe rejects after accepting it goes unnoticed — run \`npm run setup\` (it creates the destination and prints its secret for STRIPE_WEBHOOK_SECRET)`,
  );
  expect(formatResult(eventDestinationResult([]))).toContain('run `npm run setup -- --url https://<this service>`');
});
