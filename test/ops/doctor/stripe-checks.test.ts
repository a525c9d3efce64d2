/** The doctor's Stripe decisions: key mode, webhook endpoints, meters, portal configuration. */
import { keyMode, stripeKeyResult } from '../../../src/ops/doctor/stripe-key';
import {
  missingEventTypes,
  webhookEndpointResults,
  type EndpointView,
} from '../../../src/ops/doctor/webhook-endpoints';
import { pointsAtService } from '../../../src/ops/service-url';
import { meterNamesOfFields, meterResults } from '../../../src/ops/doctor/meters';
import { portalResult } from '../../../src/ops/doctor/portal';
import { formatResult } from '../../../src/ops/doctor/result';

const V = '2026-10-28.endive';
const HANDLED = ['customer.created', 'customer.updated', 'invoice.paid'];
const endpoint = (over: Partial<EndpointView> = {}): EndpointView => ({
  id: 'we_1',
  url: 'https://billing.example.com/webhooks/stripe',
  status: 'enabled',
  api_version: V,
  enabled_events: ['*'],
  ...over,
});
const lines = (results: ReturnType<typeof webhookEndpointResults>) => results.map(formatResult);

describe('stripe key', () => {
  test('mode comes from the prefix of secret and restricted keys', () => {
    expect([
      keyMode('sk_test_x'),
      keyMode('sk_live_x'),
      keyMode('rk_test_x'),
      keyMode('rk_live_x'),
      keyMode('sk_x'),
    ]).toEqual(['test', 'live', 'test', 'live', undefined]);
  });

  test('a key whose mode differs from the objects the API returned is a problem, either way round', () => {
    expect(stripeKeyResult('sk_live_abcdefgh1234', 'http://s', { livemodes: [false] })).toMatchObject({
      ok: false,
      problem: 'live-mode key (sk_live_…1234) but http://s answered with test-mode objects',
    });
    expect(stripeKeyResult('rk_test_abcdefgh1234', 'http://s', { livemodes: [true, true] })).toMatchObject({
      ok: false,
      problem: 'test-mode key (rk_test_…1234) but http://s answered with live-mode objects',
    });
    expect(stripeKeyResult('sk_test_abcdefgh1234', 'http://s', { livemodes: [false, false] })).toMatchObject({
      ok: true,
    });
  });

  test('no object to compare is stated, an error is a problem, and the key is never shown whole', () => {
    expect(formatResult(stripeKeyResult('sk_live_abcdefgh1234', 'https://api.stripe.com', { livemodes: [] }))).toBe(
      'ok  stripe key: live mode (sk_live_…1234), reachable at https://api.stripe.com; the account returned no object to confirm the mode',
    );
    const failed = formatResult(
      stripeKeyResult('sk_test_abcdefgh1234', 'http://s', { error: '401 StripeAuthenticationError: Invalid API Key' }),
    );
    expect(failed).toMatch(
      /^FAIL stripe key: sk_test_…1234 at http:\/\/s: 401 StripeAuthenticationError: Invalid API Key — check STRIPE_SECRET_KEY/,
    );
    expect(failed).not.toContain('abcdefgh');
  });
});

describe('webhook endpoints', () => {
  test('only URL paths ending in /webhooks/stripe point at this service', () => {
    expect(pointsAtService('https://b.example.com/webhooks/stripe')).toBe(true);
    expect(pointsAtService('https://b.example.com/billing/webhooks/stripe?x=1')).toBe(true);
    expect(pointsAtService('https://b.example.com/webhooks/stripe/other')).toBe(false);
    expect(pointsAtService('https://webhooks/stripe.example.com/hook')).toBe(false);
    expect(pointsAtService('not a url')).toBe(false);
  });

  test('missing handled types are named in the table order; * sends everything', () => {
    expect(missingEventTypes(['invoice.paid', 'charge.failed'], HANDLED)).toEqual([
      'customer.created',
      'customer.updated',
    ]);
    expect(missingEventTypes(['*'], HANDLED)).toEqual([]);
  });

  test('a right endpoint is one ok line; another service is listed, not checked', () => {
    expect(
      lines(
        webhookEndpointResults(
          [
            endpoint(),
            endpoint({ id: 'we_2', url: 'https://crm.example.com/hook', api_version: null, status: 'disabled' }),
          ],
          HANDLED,
          V,
        ),
      ),
    ).toEqual([
      'ok  webhook endpoints: 1 of 2 point at this service (URL path ending in /webhooks/stripe)',
      `ok  webhook endpoint we_1: https://billing.example.com/webhooks/stripe: enabled, api_version ${V}, sends every event type the engine handles`,
      'ok  webhook endpoint we_2: https://crm.example.com/hook: not this service (path does not end in /webhooks/stripe), not checked',
    ]);
  });

  test('disabled, a version the engine cannot read or none, and missing events are one FAIL line each', () => {
    const results = webhookEndpointResults(
      [endpoint({ status: 'disabled', api_version: '2019-12-03', enabled_events: ['invoice.paid'] })],
      HANDLED,
      V,
    );
    expect(results.map((r) => [r.ok, r.check])).toEqual([
      [true, 'webhook endpoints'],
      [false, 'webhook endpoint we_1'],
      [false, 'webhook endpoint we_1'],
      [false, 'webhook endpoint we_1'],
    ]);
    const text = lines(results).join('\n');
    expect(text).toContain('is disabled');
    expect(text).toContain(
      'renders events in api_version 2019-12-03, older than 2020-03-02, the oldest the engine reads',
    );
    expect(text).toContain('does not send 2 event type(s) the engine handles: customer.created, customer.updated');
    const failure = (api_version: string | null) =>
      lines(webhookEndpointResults([endpoint({ api_version })], HANDLED, V))[1];
    expect(failure(null)).toMatch(
      /^FAIL webhook endpoint we_1: .* renders events in no api_version \(the account default, unknown here\)/,
    );
    expect(failure('2027-01-01.fig')).toContain(
      `renders events in api_version 2027-01-01.fig, newer than the engine's ${V}`,
    );
    expect(failure('2026-10-28.preview')).toContain(
      `renders events in api_version 2026-10-28.preview, another release of the date of the engine's ${V}`,
    );
  });

  test('an older version the engine reads is ok, naming the version and how to move to the pinned one', () => {
    expect(lines(webhookEndpointResults([endpoint({ api_version: '2024-06-20' })], HANDLED, V))[1]).toBe(
      `ok  webhook endpoint we_1: https://billing.example.com/webhooks/stripe: enabled, api_version 2024-06-20 (read by the engine; \`npm run setup -- --url https://<this service>\` moves it to ${V}), sends every event type the engine handles`,
    );
    // Its other shortfalls still fail, without the version.
    const partial = webhookEndpointResults([endpoint({ api_version: '2020-03-02', enabled_events: [] })], HANDLED, V);
    expect(lines(partial).slice(1)).toEqual([
      expect.stringMatching(/^FAIL webhook endpoint we_1: \S+ does not send 3 event type\(s\)/),
    ]);
  });

  test('no endpoint pointing at this service is a problem with a fix line', () => {
    const [summary] = webhookEndpointResults([], HANDLED, V);
    expect(formatResult(summary)).toMatch(
      /^FAIL webhook endpoints: none of the account's 0 endpoint\(s\) points at this service .* — add an endpoint for https:\/\/<this service>\/webhooks\/stripe with API version 2026-10-28\.endive/,
    );
  });
});

describe('meters', () => {
  test('meter names come from well-formed usage fields only', () => {
    expect([
      ...meterNamesOfFields([
        'cus_1|api_calls|1767225600',
        'cus_2|tokens|1',
        'cus_3|api_calls|5',
        'garbage',
        'cus_4|bad|name|1',
      ]),
    ]).toEqual(['api_calls', 'tokens']);
  });

  test('each counted name needs an active meter: missing and inactive are named', () => {
    const results = meterResults(
      ['tokens', 'api_calls', 'searches', 'tokens'],
      [
        { id: 'mtr_a', event_name: 'api_calls', status: 'active' },
        { id: 'mtr_old', event_name: 'tokens', status: 'inactive' },
        { id: 'mtr_other', event_name: 'unrelated', status: 'active' },
      ],
    );
    expect(results.map(formatResult)).toEqual([
      'ok  meter api_calls: active meter mtr_a',
      'FAIL meter searches: usage is counted for "searches" but the account has no meter with that event name: Stripe drops the usage — create a meter in the Dashboard (Billing → Meters) with event name "searches"',
      'FAIL meter tokens: usage is counted for "tokens" but its meter mtr_old is inactive: Stripe rejects the usage — reactivate it in the Dashboard (Billing → Meters → mtr_old)',
    ]);
  });

  test('an active meter next to an inactive one with the same name is enough; nothing counted is ok', () => {
    expect(
      meterResults(
        ['x'],
        [
          { id: 'mtr_1', event_name: 'x', status: 'inactive' },
          { id: 'mtr_2', event_name: 'x', status: 'active' },
        ],
      ),
    ).toEqual([{ ok: true, check: 'meter x', detail: 'active meter mtr_2' }]);
    expect(meterResults([], [])).toEqual([
      { ok: true, check: 'meters', detail: 'no usage counted yet, no meter needed so far' },
    ]);
  });

  test('a usage source that could not be read is a problem, and then "nothing counted" is not claimed', () => {
    expect(meterResults([], [], ['PostgreSQL']).map(formatResult)).toEqual([
      'FAIL meters: could not read counted usage from PostgreSQL (see above): the meters it needs are not checked — fix that, then run the doctor again',
    ]);
    expect(
      meterResults(['x'], [{ id: 'mtr_1', event_name: 'x', status: 'active' }], ['PostgreSQL', 'Redis']).map((r) => [
        r.ok,
        r.check,
      ]),
    ).toEqual([
      [false, 'meters'],
      [true, 'meter x'],
    ]);
  });
});

describe('customer portal', () => {
  test('needs a configuration that is both default and active', () => {
    expect(portalResult([{ id: 'bpc_1', is_default: true, active: true }])).toEqual({
      ok: true,
      check: 'customer portal',
      detail: 'active default configuration bpc_1',
    });
    expect(
      portalResult([
        { id: 'bpc_1', is_default: false, active: true },
        { id: 'bpc_2', is_default: true, active: false },
      ]).ok,
    ).toBe(false);
    expect(formatResult(portalResult([]))).toBe(
      'FAIL customer portal: no active default configuration (0 configuration(s) found): portal sessions fail — save the portal settings once in the Dashboard (Settings → Billing → Customer portal)',
    );
  });
});
