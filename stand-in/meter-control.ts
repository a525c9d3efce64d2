/**
 * How a test, the demo or chaos makes the stand-in's meters misbehave like Stripe can: refuse a
 * customer (Stripe cannot map it), lose a fraction of accepted events, require a stored meter per
 * event name, cap error samples or use the older sample shape, delay reports and summaries, send
 * the thin notifications to a URL signed with a `whsec_…`, and forget identifiers (Stripe's
 * 24-hour window passed). The in-process API (`MeterControlTarget`) and its `/_stand-in/meters/…`
 * control routes (JSON bodies; bad input → 400 naming the field, nothing changed).
 */
import { invalidRequest, type Reply } from './errors';
import type { ReportOptions, ThinDestination } from './meter-reports';

export interface MeterBehaviour {
  /** An event name without a stored `billing.meter` fails with `no_meter` (default false: any name counts). */
  requireMeters?: boolean;
  sampleLimit?: number;
  sampleShape?: ReportOptions['sampleShape'];
  /** Rejections gather this long before their report (default 0). */
  reportDelayMs?: number;
  /** Events stay out of event summaries this long after they arrive (default 0). */
  summaryLagMs?: number;
}

export interface MeterControlTarget {
  refuseMeterCustomer(customer: string): void;
  acceptMeterCustomer(customer: string): void;
  /** Loses each valid event from now on with probability `fraction` (0 stops); `seed` makes it repeatable. */
  setMeterLoss(fraction: number, seed?: number): void;
  setMeterBehaviour(behaviour: MeterBehaviour): void;
  /** Where thin event notifications go (undefined: nowhere; the events stay retrievable). */
  setThinEventDestination(destination: ThinDestination | undefined): void;
  forgetMeterIdentifiers(): void;
}

const ok = (body: unknown): Reply => ({ status: 200, body });

function customerOf(body: Record<string, unknown>): string {
  if (typeof body.customer !== 'string' || !/^cus_\w+$/.test(body.customer))
    throw invalidRequest('customer must be a customer id (cus_…)', 'customer');
  return body.customer;
}

function numberIn(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  if (body[field] === undefined) return undefined;
  const v = Number(body[field]);
  if (!Number.isFinite(v) || v < min || v > max)
    throw invalidRequest(`${field} must be a number in [${min}, ${max}]`, field);
  return v;
}

function behaviourOf(body: Record<string, unknown>): MeterBehaviour {
  const shape = body.sample_shape;
  if (shape !== undefined && shape !== 'identifier' && shape !== 'idempotency_key')
    throw invalidRequest('sample_shape must be identifier or idempotency_key', 'sample_shape');
  if (body.require_meters !== undefined && typeof body.require_meters !== 'boolean')
    throw invalidRequest('require_meters must be a boolean', 'require_meters');
  return {
    requireMeters: body.require_meters as boolean | undefined,
    sampleLimit: numberIn(body, 'sample_limit', 1, 100),
    sampleShape: shape as MeterBehaviour['sampleShape'],
    reportDelayMs: numberIn(body, 'report_delay_ms', 0, 600_000),
    summaryLagMs: numberIn(body, 'summary_lag_ms', 0, 86_400_000),
  };
}

function destinationOf(body: Record<string, unknown>): ThinDestination {
  if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url))
    throw invalidRequest('url must be an http(s) URL', 'url');
  if (typeof body.secret !== 'string' || !body.secret.startsWith('whsec_'))
    throw invalidRequest('secret must be a whsec_… secret', 'secret');
  return { url: body.url, secret: body.secret };
}

const ACTIONS: Record<string, (body: Record<string, unknown>, t: MeterControlTarget) => Reply> = {
  'POST /meters/refused-customers': (body, t) => {
    t.refuseMeterCustomer(customerOf(body));
    return ok({ refused: body.customer });
  },
  'POST /meters/loss': (body, t) => {
    t.setMeterLoss(numberIn(body, 'fraction', 0, 1) ?? 0, numberIn(body, 'seed', 0, 2 ** 32));
    return ok({ loss: body.fraction ?? 0 });
  },
  'POST /meters/behaviour': (body, t) => {
    t.setMeterBehaviour(behaviourOf(body));
    return ok({ behaviour: true });
  },
  'POST /meters/destination': (body, t) => {
    t.setThinEventDestination(destinationOf(body));
    return ok({ destination: body.url });
  },
  'DELETE /meters/destination': (_, t) => {
    t.setThinEventDestination(undefined);
    return ok({ destination: null });
  },
  'POST /meters/forget-identifiers': (_, t) => {
    t.forgetMeterIdentifiers();
    return ok({ forgotten: true });
  },
};

/** Answers `METHOD /meters/…` (the path below the control prefix), or undefined for other paths. */
export function meterControlRoute(
  method: string,
  rest: string,
  body: Record<string, unknown>,
  t: MeterControlTarget,
): Reply | undefined {
  const refused = /^\/meters\/refused-customers\/([^/]+)$/.exec(rest);
  if (refused && method === 'DELETE') {
    t.acceptMeterCustomer(customerOf({ customer: decodeURIComponent(refused[1]) }));
    return ok({ refused: null });
  }
  return ACTIONS[`${method} ${rest}`]?.(body, t);
}
