/**
 * What Stripe counted, read for flow C (reconciliation and the late resume of a claim): the meter
 * id of each event name (`GET /v1/billing/meters`, listed once per run) and one customer's hourly
 * meter event summaries over a range (`GET /v1/billing/meters/:id/event_summaries` with
 * `value_grouping_window=hour`, start and end on hour boundaries, 100 per page, `starting_after`).
 * Every call waits for the shared RateLimiter and backs off on a 429 (lib/paced-stripe-calls.ts).
 */
import type Stripe from 'stripe';
import { paced, type BackoffOptions } from '../lib/paced-stripe-calls';
import type { RateLimiter } from '../lib/rate-limiter';
import { HOUR } from './reconcile-compare';

/** How long the meter list is reused: a run or a drain lists meters once. */
const METERS_TTL_MS = 5 * 60_000;

export interface StripeUsageOptions {
  stripe: Stripe;
  limiter: RateLimiter;
  backoff?: BackoffOptions;
}

export class StripeUsage {
  /** Stripe requests made so far (every page counts). */
  calls = 0;
  private meters?: { listedAt: number; byName: Promise<Map<string, string>> };

  constructor(private readonly opts: StripeUsageOptions) {}

  /**
   * The id of the meter with this event name (an active one first); undefined when the account has
   * none. The list is read once per METERS_TTL_MS (a long-lived worker sees meters created since).
   */
  async meterId(eventName: string): Promise<string | undefined> {
    const now = Date.now();
    if (!this.meters || now - this.meters.listedAt > METERS_TTL_MS) {
      const byName = this.listMeters().catch((error: unknown) => {
        this.meters = undefined; // the next call asks again
        throw error;
      });
      this.meters = { listedAt: now, byName };
    }
    return (await this.meters.byName).get(eventName);
  }

  /**
   * Units Stripe counted per hour (start, unix s) for `customer` in [fromHour, toHour); hours
   * without usage are absent. Both bounds must be hour starts.
   */
  async hourly(meterId: string, customer: string, fromHour: number, toHour: number): Promise<Map<number, bigint>> {
    if (fromHour % HOUR !== 0 || toHour % HOUR !== 0) throw new Error('hourly(): bounds must be hour starts');
    const out = new Map<number, bigint>();
    let startingAfter: string | undefined;
    do {
      const params: Stripe.Billing.MeterListEventSummariesParams = {
        customer,
        start_time: fromHour,
        end_time: toHour,
        value_grouping_window: 'hour',
        limit: 100,
        ...(startingAfter ? { starting_after: startingAfter } : {}),
      };
      const page = await this.call(() => this.opts.stripe.billing.meters.listEventSummaries(meterId, params));
      for (const s of page.data) out.set(s.start_time, (out.get(s.start_time) ?? 0n) + units(s.aggregated_value));
      startingAfter = page.has_more ? page.data.at(-1)?.id : undefined;
    } while (startingAfter);
    return out;
  }

  private async listMeters(): Promise<Map<string, string>> {
    const byName = new Map<string, Stripe.Billing.Meter>();
    let startingAfter: string | undefined;
    do {
      const params = { limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) };
      const page = await this.call(() => this.opts.stripe.billing.meters.list(params));
      for (const m of page.data) {
        const known = byName.get(m.event_name);
        if (!known || (known.status !== 'active' && m.status === 'active')) byName.set(m.event_name, m);
      }
      startingAfter = page.has_more ? page.data.at(-1)?.id : undefined;
    } while (startingAfter);
    return new Map([...byName].map(([name, m]) => [name, m.id]));
  }

  private call<T>(request: () => Promise<T>): Promise<T> {
    return paced(
      this.opts.limiter,
      () => {
        this.calls++;
        return request();
      },
      this.opts.backoff,
    );
  }
}

/** Summaries of a `sum` meter of whole units are whole; a fraction would be another aggregation. */
const units = (value: number): bigint => BigInt(Math.round(value));
