/**
 * GET /v1/openapi.json: the OpenAPI 3.1 description of every /v1 route and of POST /webhooks/stripe
 * (bodies in ./openapi-schemas.ts). test/api/openapi.int.test.ts holds it to the routers: every route
 * described, every described route answering as described.
 *
 * The document is behind the same bearer token as the rest of /v1: the contract refuses every /v1 call
 * without one, and a client generator can send the header (or read a saved copy).
 */
import Router from '@koa/router';
import { JSON_BODY_LIMIT_BYTES } from './json-body';
import { CUSTOMER_ID_SCHEMA, ref, SCHEMAS, type JsonSchema } from './openapi-schemas';
import { USAGE_BODY_LIMIT_BYTES } from './usage';
import { WEBHOOK_BODY_LIMIT_BYTES } from './webhooks';

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const answer = (description: string, schema: string) => ({ description, content: json(ref(schema)) });
const error = (description: string) => answer(description, 'Error');
const UNAUTHORIZED = { $ref: '#/components/responses/Unauthorized' };

const customerId = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'A Stripe customer id; an unknown but well-formed one is answered, not refused',
  schema: CUSTOMER_ID_SCHEMA,
};
const BAD_CUSTOMER = 'The customer id does not look like cus_…';
const jsonBody = (schema: string, description?: string) => ({
  required: true,
  ...(description ? { description } : {}),
  content: json(ref(schema)),
});
const tooLarge = (bytes: number) => error(`The body is over ${bytes} bytes`);

const PATHS = {
  '/v1/customers/{id}/access': {
    get: {
      operationId: 'getAccess',
      summary: "The customer's access answer",
      description:
        'From the local mirror of Stripe, whatever order its events arrived in. An unknown customer gets access false.',
      parameters: [
        customerId,
        {
          name: 'feature',
          in: 'query',
          description: "A feature's lookup_key: access also needs it among the customer's active entitlements",
          schema: { type: 'string', minLength: 1, maxLength: 200 },
        },
      ],
      responses: {
        200: answer('The answer', 'AccessAnswer'),
        400: error(`${BAD_CUSTOMER}, or feature is not one lookup key of 1 to 200 characters`),
        401: UNAUTHORIZED,
      },
    },
  },
  '/v1/customers/{id}/entitlements': {
    get: {
      operationId: 'getEntitlements',
      summary: "The customer's active entitlements (Stripe Entitlements)",
      parameters: [customerId],
      responses: { 200: answer('The features', 'Entitlements'), 400: error(BAD_CUSTOMER), 401: UNAUTHORIZED },
    },
  },
  '/v1/customers/{id}/portal-sessions': {
    post: {
      operationId: 'createPortalSession',
      summary: 'A Stripe Customer Portal session for the customer',
      description:
        "flow: a Customer Portal flow; the subscription flows act on `subscription`, else on the customer's only live subscription; subscription_update_confirm also needs `items`.",
      parameters: [customerId],
      requestBody: jsonBody('PortalSessionRequest'),
      responses: {
        201: answer('The session', 'PortalSession'),
        400: error(
          `${BAD_CUSTOMER}, the body is not JSON, a field is invalid (named), or a flow lacks its subscription or items`,
        ),
        401: UNAUTHORIZED,
        404: error('Stripe does not know the customer, or the mirror holds it as deleted'),
        413: tooLarge(JSON_BODY_LIMIT_BYTES),
        502: error("Stripe refused the session (Stripe's message)"),
      },
    },
  },
  '/v1/usage': {
    post: {
      operationId: 'recordUsage',
      summary: 'Count usage; the drain sends it to Stripe later',
      requestBody: jsonBody('UsageRequest'),
      responses: {
        202: answer('Counted (duplicates: not counted again)', 'UsageAccepted'),
        400: error('An event is invalid (the field is named); nothing was recorded'),
        401: UNAUTHORIZED,
        413: tooLarge(USAGE_BODY_LIMIT_BYTES),
        503: error('Redis did not confirm the write; retry (events with an id count once)'),
      },
    },
  },
  '/v1/customers/{id}/usage': {
    get: {
      operationId: 'getCustomerUsage',
      summary: "The customer's usage per meter for usage whose time falls in [from, to)",
      description:
        'from and to together, or neither: then the current billing period of its subscription items, else the last 30 days.',
      parameters: [
        customerId,
        ...['from', 'to'].map((name) => ({
          name,
          in: 'query',
          description: 'Unix seconds',
          schema: { type: 'integer', minimum: 0, maximum: 999_999_999_999 },
        })),
      ],
      responses: {
        200: answer('Units per meter', 'CustomerUsage'),
        400: error(`${BAD_CUSTOMER}, from or to is not unix seconds, only one is given, or from is not before to`),
        401: UNAUTHORIZED,
      },
    },
  },
  '/v1/openapi.json': {
    get: {
      operationId: 'getOpenApi',
      summary: 'This description',
      responses: { 200: answer('OpenAPI 3.1', 'OpenApiDocument'), 401: UNAUTHORIZED },
    },
  },
  '/webhooks/stripe': {
    post: {
      operationId: 'receiveStripeEvent',
      summary: "Stripe's webhook deliveries and thin event notifications",
      description:
        'Every correctly signed event gets 200 once it is durably enqueued, whatever its type and API version.',
      security: [{ stripeSignature: [] }],
      parameters: [
        {
          name: 'Stripe-Signature',
          in: 'header',
          required: true,
          description: 't=<unix s>,v1=<hex HMAC-SHA256>, by a secret of STRIPE_WEBHOOK_SECRET, at most 300 s old',
          schema: { type: 'string' },
        },
      ],
      requestBody: {
        required: true,
        content: json({ oneOf: [ref('StripeEvent'), ref('ThinEventNotification')] }),
      },
      responses: {
        200: answer('Enqueued', 'WebhookReceived'),
        400: error('No, a bad or a stale signature, or a signed body that is not a Stripe event'),
        413: tooLarge(WEBHOOK_BODY_LIMIT_BYTES),
        503: error('It could not be enqueued (Redis); Stripe retries'),
      },
    },
  },
};

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Stripe billing engine',
    // The description follows the API's own version, the /v1 of its paths.
    version: 'v1',
    description:
      'Access decisions and usage metering over a local mirror of Stripe, and the route Stripe delivers events to. Any method a path does not list gets 405.',
  },
  security: [{ bearer: [] }],
  paths: PATHS,
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'One of the tokens in API_KEYS' },
      stripeSignature: {
        type: 'apiKey',
        in: 'header',
        name: 'Stripe-Signature',
        description: "Stripe's webhook signature over the raw body",
      },
    },
    responses: {
      Unauthorized: {
        description: 'No bearer token, or not one of API_KEYS; nothing was done',
        headers: { 'WWW-Authenticate': { schema: { const: 'Bearer' } } },
        content: json(ref('Error')),
      },
    },
    schemas: SCHEMAS,
  },
};

export function openApiRoutes(): Router {
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.body = OPENAPI_DOCUMENT;
  });
  return router;
}
