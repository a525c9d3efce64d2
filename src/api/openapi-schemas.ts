/**
 * The JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of what the /v1 routes and the webhook route
 * read and answer, for ./openapi.ts. A request body validated by zod is generated from that same zod
 * schema; the usage and webhook bodies are checked by hand-written code (the usage client shares it),
 * so their schemas are written here from the same patterns and limits that code uses.
 */
import { z } from 'zod';
import { CUSTOMER_ID } from '../lib/ids';
import { EVENT_ID } from '../queues/stripe-event';
import { EVENT_ID as USAGE_EVENT_ID, METER_EVENT_NAME } from '../usage/keys';
import { MAX_EVENTS_PER_REQUEST } from '../usage/validate';
import { STRIPE_FUTURE_LIMIT_S, STRIPE_PAST_LIMIT_S } from '../usage/window';
import { portalRequestSchema } from './portal';

export type JsonSchema = Record<string, unknown>;

/** A reference to one of SCHEMAS (a dangling one fails ajv's compile in test/api/openapi.int.test.ts). */
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** An object of exactly these properties, all required but those named `optional`. */
const object = (properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
  additionalProperties: false,
});

const count = (description: string): JsonSchema => ({ type: 'integer', minimum: 0, description });
const unixSeconds = (description: string): JsonSchema => ({ type: 'integer', minimum: 0, description });
export const CUSTOMER_ID_SCHEMA: JsonSchema = {
  type: 'string',
  pattern: CUSTOMER_ID.source,
  description: 'A Stripe customer id, cus_…',
};

/** zod's JSON Schema of what a client sends (`io: 'input'`), without the `$schema` a component does not repeat. */
function fromZod(schema: z.ZodType): JsonSchema {
  const generated: JsonSchema = z.toJSONSchema(schema, { io: 'input' });
  delete generated.$schema;
  return generated;
}

const usageEvent = object(
  {
    customer: { ...CUSTOMER_ID_SCHEMA, description: 'A Stripe customer id, cus_… (the mirror may not know it yet)' },
    meter: { type: 'string', pattern: METER_EVENT_NAME.source, description: "The meter's event_name" },
    value: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Whole units' },
    timestamp: unixSeconds(
      `When the usage happened, unix seconds (default: now); at most ${STRIPE_PAST_LIMIT_S / 86_400} days old and ${STRIPE_FUTURE_LIMIT_S / 60} minutes ahead`,
    ),
    id: {
      type: 'string',
      pattern: USAGE_EVENT_ID.source,
      description:
        'An event id, unique per customer; one already counted within USAGE_DEDUPE_SECONDS is not counted again',
    },
  },
  ['timestamp', 'id'],
);

export const SCHEMAS = {
  Error: object({ error: { type: 'string', description: 'What was wrong (5xx: "internal error" or a retry hint)' } }),
  AccessAnswer: object({
    customer: CUSTOMER_ID_SCHEMA,
    access: { type: 'boolean' },
    status: {
      type: ['string', 'null'],
      description: "The subscription status that decided (the customer's most relevant subscription), or null",
    },
    reason: {
      type: 'string',
      description:
        'subscription_<status>, payment_failed_in_grace_period, payment_failed:<invoice id>, no_subscription, unknown_customer, customer_deleted or feature_not_entitled',
    },
  }),
  Entitlements: object({
    customer: CUSTOMER_ID_SCHEMA,
    features: { type: 'array', items: { type: 'string' }, description: 'Lookup keys of the active entitlements' },
  }),
  PortalSessionRequest: fromZod(portalRequestSchema),
  PortalSession: object({ url: { type: 'string', format: 'uri', description: "The Customer Portal session's URL" } }),
  UsageEvent: usageEvent,
  UsageRequest: {
    description: `One event, or {"events": […]} with 1 to ${MAX_EVENTS_PER_REQUEST}; a bad event refuses the whole request`,
    oneOf: [
      ref('UsageEvent'),
      object({
        events: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_EVENTS_PER_REQUEST,
          items: ref('UsageEvent'),
        },
      }),
    ],
  },
  UsageAccepted: object({
    accepted: count('Events in the request'),
    duplicates: count('Of them, events whose id was already counted (not counted again)'),
  }),
  CustomerUsage: object({
    customer: CUSTOMER_ID_SCHEMA,
    from: unixSeconds('Start of the range (inclusive)'),
    to: unixSeconds('End of the range (exclusive)'),
    meters: {
      type: 'object',
      description: 'Per meter event name',
      additionalProperties: object({
        sent: count('Units sent to Stripe'),
        pending: count('Units counted, not sent yet'),
        rejected: count('Units Stripe rejected (not counted on its side)'),
        confirmed: count("Units of sent that reconciliation found in Stripe's own totals"),
      }),
    },
  }),
  StripeEvent: {
    type: 'object',
    description: 'A Stripe event (snapshot payload), in whatever API version the endpoint renders it',
    required: ['id', 'object', 'type', 'created', 'data'],
    properties: {
      id: { type: 'string', pattern: EVENT_ID.source },
      object: { const: 'event' },
      type: { type: 'string', minLength: 1 },
      created: { type: 'integer', minimum: 1 },
      livemode: { type: 'boolean' },
      api_version: { type: ['string', 'null'] },
      data: { type: 'object', required: ['object'], properties: { object: { type: 'object' } } },
    },
  },
  ThinEventNotification: {
    type: 'object',
    description: 'A thin event notification from an event destination; the worker fetches the event it names',
    required: ['id', 'object', 'type', 'created'],
    properties: {
      id: { type: 'string', pattern: EVENT_ID.source },
      object: { const: 'v2.core.event' },
      type: { type: 'string', minLength: 1 },
      created: { type: 'string', format: 'date-time' },
    },
  },
  WebhookReceived: object({ received: { const: true } }),
  OpenApiDocument: {
    type: 'object',
    description: 'This document',
    required: ['openapi', 'info', 'paths', 'components'],
    properties: { openapi: { const: '3.1.0' } },
  },
} satisfies Record<string, JsonSchema>;
