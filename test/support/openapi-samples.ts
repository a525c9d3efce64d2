/**
 * Sample requests of every operation that test/api/openapi.int.test.ts holds to the description:
 * valid ones, invalid ones and ones without the token, by name, each with the status it should get.
 */
import { customer, entitlementSummaryEvent, event, signWebhook, subscription } from '../../stand-in/events';
import { http, type HttpResponse } from '../../stand-in/http-client';
import { API_KEY, settle, TestService, WEBHOOK_SECRET } from './service';

type Send = (t: TestService, body: unknown) => Promise<HttpResponse>;

export interface Sample {
  /** The described operation, `METHOD /path/{param}`. */
  op: string;
  status: number;
  send: Send;
  /** The request body, and whether the documented request schema accepts it (checked when set). */
  body?: unknown;
  conforms?: boolean;
  /** Part of the answer body, where an empty or default answer would leave the schema untried. */
  answer?: object;
}

const JSON_TYPE = { 'content-type': 'application/json' };
/** A customer the stand-in never holds, and one each portal sample puts there first. */
const UNKNOWN = 'cus_OpenApiUnknown';
const KNOWN = 'cus_OpenApiKnown';
/** A customer with an active subscription and the feature `pro`, once its events are applied. */
const ENTITLED = 'cus_OpenApiEntitled';
const ENTITLED_EVENTS = [
  event('customer.subscription.created', subscription({ customer: ENTITLED, status: 'active' })),
  entitlementSummaryEvent(ENTITLED, [{ lookup_key: 'pro' }]),
];

const withToken =
  (method: string, path: string): Send =>
  (t, body) =>
    t.v1(method, path, body);
const withoutToken =
  (method: string, path: string): Send =>
  (t, body) =>
    http(method, `${t.url}/v1${path}`, {
      headers: JSON_TYPE,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
const rawPost =
  (path: string, text: string, headers: Record<string, string>): Send =>
  (t) =>
    http('POST', `${t.url}${path}`, { headers, body: text });
const bearerRaw = (path: string, text: string): Send =>
  rawPost(path, text, { ...JSON_TYPE, authorization: `Bearer ${API_KEY}` });
const portal =
  (faulty = false): Send =>
  (t, body) => {
    t.standIn.put(customer({ id: KNOWN }));
    if (faulty) t.standIn.setFaults({ rate: 1, statuses: [429], paths: /billing_portal/, times: 1 });
    return t.v1('POST', `/customers/${KNOWN}/portal-sessions`, body);
  };
/** Asks about ENTITLED once its events are applied (a second delivery is a duplicate, still 200). */
const entitled =
  (path: string): Send =>
  async (t) => {
    for (const e of ENTITLED_EVENTS) await t.deliver(e);
    await settle(t);
    return t.v1('GET', `/customers/${ENTITLED}${path}`);
  };
const signedPost: Send = (t, body) => {
  const text = JSON.stringify(body);
  return rawPost('/webhooks/stripe', text, { ...JSON_TYPE, 'stripe-signature': signWebhook(text, WEBHOOK_SECRET) })(
    t,
    body,
  );
};

const ACCESS = 'GET /v1/customers/{id}/access';
const ENTITLEMENTS = 'GET /v1/customers/{id}/entitlements';
const PORTAL = 'POST /v1/customers/{id}/portal-sessions';
const USAGE = 'POST /v1/usage';
const CUSTOMER_USAGE = 'GET /v1/customers/{id}/usage';
const DOCUMENT = 'GET /v1/openapi.json';
const WEBHOOK = 'POST /webhooks/stripe';
const usage = { customer: UNKNOWN, meter: 'api_calls', value: 3 };
const returnUrl = 'https://app.example.com/account';

export const OPENAPI_SAMPLES: Record<string, Sample> = {
  'access: an unknown customer': { op: ACCESS, status: 200, send: withToken('GET', `/customers/${UNKNOWN}/access`) },
  'access to a feature': {
    op: ACCESS,
    status: 200,
    send: withToken('GET', `/customers/${UNKNOWN}/access?feature=pro`),
  },
  'access of a subscribed customer to its feature': {
    op: ACCESS,
    status: 200,
    send: entitled('/access?feature=pro'),
    answer: { access: true, status: 'active', reason: 'subscription_active' },
  },
  'access: a malformed id': { op: ACCESS, status: 400, send: withToken('GET', '/customers/acct_1/access') },
  'access: an empty feature': {
    op: ACCESS,
    status: 400,
    send: withToken('GET', `/customers/${UNKNOWN}/access?feature=`),
  },
  'access without a token': { op: ACCESS, status: 401, send: withoutToken('GET', `/customers/${UNKNOWN}/access`) },
  entitlements: { op: ENTITLEMENTS, status: 200, send: withToken('GET', `/customers/${UNKNOWN}/entitlements`) },
  'entitlements of an entitled customer': {
    op: ENTITLEMENTS,
    status: 200,
    send: entitled('/entitlements'),
    answer: { features: ['pro'] },
  },
  'entitlements: a malformed id': {
    op: ENTITLEMENTS,
    status: 400,
    send: withToken('GET', '/customers/x/entitlements'),
  },
  'entitlements without a token': {
    op: ENTITLEMENTS,
    status: 401,
    send: withoutToken('GET', `/customers/${UNKNOWN}/entitlements`),
  },
  'a portal session': {
    op: PORTAL,
    status: 201,
    body: { return_url: returnUrl, flow: 'payment_method_update' },
    conforms: true,
    send: portal(),
  },
  'a portal session without return_url': {
    op: PORTAL,
    status: 400,
    body: { flow: 'customer_update' },
    conforms: false,
    send: portal(),
  },
  'a portal session with an unknown flow': {
    op: PORTAL,
    status: 400,
    body: { return_url: returnUrl, flow: 'upgrade' },
    conforms: false,
    send: portal(),
  },
  'a portal session for a customer Stripe does not know': {
    op: PORTAL,
    status: 404,
    body: { return_url: returnUrl },
    conforms: true,
    send: withToken('POST', `/customers/${UNKNOWN}/portal-sessions`),
  },
  'a portal session Stripe refuses': { op: PORTAL, status: 502, body: { return_url: returnUrl }, send: portal(true) },
  'a portal session body over 64 KiB': {
    op: PORTAL,
    status: 413,
    send: bearerRaw(`/v1/customers/${KNOWN}/portal-sessions`, JSON.stringify({ pad: 'x'.repeat(65_536) })),
  },
  'a portal session without a token': {
    op: PORTAL,
    status: 401,
    body: { return_url: returnUrl },
    send: withoutToken('POST', `/customers/${KNOWN}/portal-sessions`),
  },
  'usage: one event': { op: USAGE, status: 202, body: usage, conforms: true, send: withToken('POST', '/usage') },
  'usage: a batch with ids': {
    op: USAGE,
    status: 202,
    body: { events: [{ ...usage, id: 'req-1', timestamp: Math.floor(Date.now() / 1000) }] },
    conforms: true,
    send: withToken('POST', '/usage'),
  },
  'usage: a negative value': {
    op: USAGE,
    status: 400,
    body: { events: [{ ...usage, value: -1 }] },
    conforms: false,
    send: withToken('POST', '/usage'),
  },
  'usage: an unknown field': {
    op: USAGE,
    status: 400,
    body: { ...usage, units: 1 },
    conforms: false,
    send: withToken('POST', '/usage'),
  },
  'usage: a body over 1 MiB': {
    op: USAGE,
    status: 413,
    send: bearerRaw('/v1/usage', JSON.stringify({ pad: 'x'.repeat(1024 * 1024) })),
  },
  'usage without a token': { op: USAGE, status: 401, body: usage, send: withoutToken('POST', '/usage') },
  // After the two usage samples above (3 units each, counted, not sent yet).
  'customer usage: the default period': {
    op: CUSTOMER_USAGE,
    status: 200,
    send: withToken('GET', `/customers/${UNKNOWN}/usage`),
    answer: { meters: { api_calls: { pending: 6, sent: 0 } } },
  },
  'customer usage: a range': {
    op: CUSTOMER_USAGE,
    status: 200,
    send: withToken('GET', `/customers/${UNKNOWN}/usage?from=0&to=86400`),
  },
  'customer usage: from after to': {
    op: CUSTOMER_USAGE,
    status: 400,
    send: withToken('GET', `/customers/${UNKNOWN}/usage?from=9&to=1`),
  },
  'customer usage without a token': {
    op: CUSTOMER_USAGE,
    status: 401,
    send: withoutToken('GET', `/customers/${UNKNOWN}/usage`),
  },
  'the description': { op: DOCUMENT, status: 200, send: withToken('GET', '/openapi.json') },
  'the description without a token': { op: DOCUMENT, status: 401, send: withoutToken('GET', '/openapi.json') },
  'a signed event': {
    op: WEBHOOK,
    status: 200,
    body: event('customer.created', customer()),
    conforms: true,
    send: (t, body) => t.deliver(body as object),
  },
  'an unsigned event': { op: WEBHOOK, status: 400, send: rawPost('/webhooks/stripe', '{}', JSON_TYPE) },
  'a signed body that is not an event': {
    op: WEBHOOK,
    status: 400,
    body: customer(),
    conforms: false,
    send: signedPost,
  },
  'a webhook body over 1 MiB': {
    op: WEBHOOK,
    status: 413,
    send: rawPost('/webhooks/stripe', 'x'.repeat(1024 * 1024 + 1), { 'stripe-signature': 't=1,v1=x' }),
  },
};
