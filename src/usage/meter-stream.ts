/**
 * Sends meter events through Stripe's v2 meter event stream. A session token (15 minutes) is made
 * with the secret key and reused until a minute before it expires; a 401 (expired or unknown
 * token) renews it once and resends. A 429 surfaces as MeterRateLimited for the caller to back off;
 * connection errors and 5xx are retried by stripe-node, then thrown.
 */
import Stripe from 'stripe';

/** One event of `POST /v2/billing/meter_event_stream`. */
export interface StreamEvent {
  event_name: string;
  identifier: string;
  /** RFC 3339. */
  timestamp: string;
  payload: Record<string, string>;
}

/** Stripe answered 429: back off for `retryAfterMs` and send the same events again. */
export class MeterRateLimited extends Error {
  override name = 'MeterRateLimited';
  constructor(
    readonly retryAfterMs: number,
    options?: ErrorOptions,
  ) {
    super(`Stripe rate limited the meter event stream; retry in ${retryAfterMs} ms`, options);
  }
}

const RENEW_BEFORE_EXPIRY_MS = 60_000;
const DEFAULT_RETRY_AFTER_MS = 1000;

export interface MeterStreamOptions {
  /** The configured client (secret key): creates sessions. */
  stripe: Stripe;
  /** Builds a client that authenticates with a session token (same host and retries). */
  sessionClient(token: string): Stripe;
  clock?: () => number;
}

export class MeterStream {
  private session?: { client: Stripe; expiresAt: number };
  /** Sessions created so far (metrics, tests). */
  sessionsCreated = 0;

  constructor(private readonly opts: MeterStreamOptions) {}

  /** Sends one batch (≤ 100 events). Resolves once Stripe accepted it (or had every identifier already). */
  async send(events: StreamEvent[]): Promise<void> {
    for (let renewed = false; ; renewed = true) {
      try {
        const client = await this.client();
        await client.v2.billing.meterEventStream.create({ events });
        return;
      } catch (error) {
        if (isSessionProblem(error) && !renewed) {
          this.session = undefined;
          continue;
        }
        if (isDuplicateIdentifier(error)) return;
        if (error instanceof Stripe.errors.StripeRateLimitError)
          throw new MeterRateLimited(retryAfterMs(error), { cause: error });
        throw error;
      }
    }
  }

  private async client(): Promise<Stripe> {
    const now = (this.opts.clock ?? Date.now)();
    if (this.session && this.session.expiresAt - RENEW_BEFORE_EXPIRY_MS > now) return this.session.client;
    const created = await this.opts.stripe.v2.billing.meterEventSession.create();
    this.sessionsCreated++;
    this.session = {
      client: this.opts.sessionClient(created.authentication_token),
      expiresAt: Date.parse(created.expires_at),
    };
    return this.session.client;
  }
}

/** The token expired or is unknown: a new session fixes it. */
export function isSessionProblem(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.TemporarySessionExpiredError ||
    error instanceof Stripe.errors.StripeAuthenticationError ||
    (error instanceof Stripe.errors.StripeError && error.statusCode === 401)
  );
}

/** "An event already exists with identifier …": Stripe has it, so it counts as delivered. */
export function isDuplicateIdentifier(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeInvalidRequestError &&
    /already exists with identifier/i.test(error.message ?? '')
  );
}

function retryAfterMs(error: Stripe.errors.StripeError): number {
  const header = error.headers?.['retry-after'];
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds * 1000) : DEFAULT_RETRY_AFTER_MS;
}
