/**
 * Stripe-shaped error replies for the stand-in. stripe-node turns `{ error: {...} }` bodies into
 * typed errors by HTTP status (v1) or by `error.type` first and then status (v2):
 * 400/404 → StripeInvalidRequestError, 401 → StripeAuthenticationError, 429 → StripeRateLimitError,
 * 5xx → StripeAPIError, v2 `type: 'temporary_session_expired'` → TemporarySessionExpiredError.
 */

/** What a route answers: status, JSON body and extra headers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Thrown inside routes; the server turns it into its reply. */
export class StandInError extends Error {
  /** `unexpected` marks a request no route knew (recorded in `StripeStandIn.unexpected`). */
  constructor(
    readonly reply: Reply,
    readonly unexpected = false,
  ) {
    super(JSON.stringify(reply.body));
  }
}

interface ErrorFields {
  type: string;
  message: string;
  code?: string;
  param?: string;
  doc_url?: string;
}

function errorReply(status: number, fields: ErrorFields, headers?: Record<string, string>): Reply {
  const error: Record<string, unknown> = { ...fields };
  if (fields.code && !fields.doc_url)
    error.doc_url = `https://stripe.com/docs/error-codes/${fields.code.replace(/_/g, '-')}`;
  return { status, body: { error }, headers };
}

/** 404 for `GET /v1/<resource>/<id>` of an unknown id. */
export function resourceMissing(objectName: string, id: string, param = 'id', status = 404): StandInError {
  return new StandInError(
    errorReply(status, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      param,
      message: `No such ${objectName}: '${id}'`,
    }),
  );
}

/** 400 invalid_request_error. */
export function invalidRequest(
  message: string,
  param?: string,
  code?: string,
  headers?: Record<string, string>,
): StandInError {
  return new StandInError(errorReply(400, { type: 'invalid_request_error', message, param, code }, headers));
}

/** 400 for a required parameter that was not sent. */
export function parameterMissing(param: string): StandInError {
  return invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
}

/** 404 Stripe answers to a URL it does not know. */
export function unrecognizedUrl(method: string, path: string): StandInError {
  return new StandInError(
    errorReply(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    }),
    true,
  );
}

/** 401 for a missing or wrong API key / meter session token. */
export function authenticationFailed(message: string): StandInError {
  return new StandInError(errorReply(401, { type: 'invalid_request_error', message }));
}

/** 401 v2 error for an expired meter event session (→ TemporarySessionExpiredError in the SDK). */
export function meterSessionExpired(): StandInError {
  return new StandInError(
    errorReply(401, {
      type: 'temporary_session_expired',
      code: 'billing_meter_event_session_expired',
      message: 'The meter event session has expired. Create a new meter event session.',
    }),
  );
}

/** 400 idempotency_error for a reused Idempotency-Key with different parameters. */
export function idempotencyMismatch(key: string): StandInError {
  return new StandInError(
    errorReply(400, {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    }),
  );
}

/** The reply of an injected fault with HTTP status `status` (0 means: drop the connection). */
export function faultReply(status: number): Reply {
  if (status === 429) {
    return errorReply(429, {
      type: 'invalid_request_error',
      code: 'rate_limit',
      message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
    });
  }
  if (status === 409) {
    return errorReply(409, {
      type: 'invalid_request_error',
      code: 'lock_timeout',
      message:
        'This object cannot be accessed right now because another API request or Stripe process is currently accessing it.',
    });
  }
  if (status >= 500) {
    return errorReply(status, {
      type: 'api_error',
      message: 'Something went wrong on Stripe\u2019s end (injected fault).',
    });
  }
  return errorReply(status, { type: 'invalid_request_error', message: `Injected fault (${status}).` });
}
