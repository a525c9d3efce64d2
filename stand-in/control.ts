/**
 * HTTP control routes of the Stripe stand-in under /_stand-in/ (never Stripe paths): thin wrappers
 * over the in-process API of StripeStandIn, for a stand-in started alone (`stand-in/main.ts`).
 * JSON bodies; bad input gets a 400 naming the field and changes nothing. Control requests are
 * neither recorded nor faulted nor delayed.
 */
import { invalidRequest, resourceMissing, unrecognizedUrl, type Reply } from './errors';
import type { FaultOptions } from './faults';
import { meterControlRoute, type MeterControlTarget } from './meter-control';
import type { EntitlementSpec } from './other-objects';
import type { RecordedRequest } from './requests';
import { isRecord, type StripeObject } from './util';

export const CONTROL_PREFIX = '/_stand-in';

/** What the control routes drive (StripeStandIn implements it). */
export interface ControlTarget extends MeterControlTarget {
  readonly requests: readonly RecordedRequest[];
  readonly unexpected: readonly string[];
  readonly faultsInjected: number;
  get(id: string): StripeObject | undefined;
  put(obj: { id: string; object: string }): void;
  markDeleted(id: string): void;
  remove(id: string): void;
  addEvent(event: { id: string; type: string; created: number }, opts?: { delivered?: boolean }): void;
  setEntitlements(customer: string, entitlements: Array<EntitlementSpec | StripeObject>): StripeObject[];
  reset(): void;
  resetRequests(): void;
  setFaults(opts: FaultOptions): void;
  clearFaults(): void;
  setLatency(ms: number): void;
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });

function str(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v === '') throw invalidRequest(`${field} must be a non-empty string`, field);
  return v;
}

function num(body: Record<string, unknown>, field: string, min: number, max: number): number {
  const v = Number(body[field]);
  if (body[field] === undefined || body[field] === '' || !Number.isFinite(v) || v < min || v > max) {
    throw invalidRequest(`${field} must be a number in [${min}, ${max}]`, field);
  }
  return v;
}

function optionalNum(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  return body[field] === undefined ? undefined : num(body, field, min, max);
}

function stripeObject(body: Record<string, unknown>): StripeObject {
  str(body, 'id');
  str(body, 'object');
  return body as StripeObject;
}

function faultOptions(body: Record<string, unknown>): FaultOptions {
  const statuses = body.statuses;
  if (
    !Array.isArray(statuses) ||
    statuses.length === 0 ||
    statuses.some((s) => !Number.isInteger(Number(s)) || Number(s) < 0 || Number(s) > 599)
  ) {
    throw invalidRequest('statuses must be a non-empty array of HTTP statuses (0 drops the connection)', 'statuses');
  }
  let paths: RegExp | undefined;
  if (body.paths !== undefined) {
    try {
      paths = new RegExp(str(body, 'paths'));
    } catch {
      throw invalidRequest('paths must be a regular expression', 'paths');
    }
  }
  return {
    rate: num(body, 'rate', 0, 1),
    statuses: statuses.map(Number),
    paths,
    seed: optionalNum(body, 'seed', 0, 2 ** 32),
    times: optionalNum(body, 'times', 0, Number.MAX_SAFE_INTEGER),
  };
}

function entitlementSpecs(body: Record<string, unknown>): EntitlementSpec[] {
  const list = body.entitlements;
  if (!Array.isArray(list) || list.some((e) => !isRecord(e) || typeof e.lookup_key !== 'string')) {
    throw invalidRequest('entitlements must be an array of { lookup_key, feature?, id? }', 'entitlements');
  }
  return list as EntitlementSpec[];
}

/** What the log route shows of a request (no headers: they carry the API key). */
function logged(r: RecordedRequest): Record<string, unknown> {
  return {
    method: r.method,
    path: r.path,
    query: r.query,
    body: r.body,
    status: r.status,
    faulted: r.faulted ?? false,
  };
}

/** Routes on one stored object: read it, mark it deleted, forget it. */
function objectRoute(method: string, id: string, deletedSuffix: boolean, t: ControlTarget): Reply | undefined {
  if (!t.get(id)) throw resourceMissing('object', id);
  if (method === 'GET' && !deletedSuffix) return ok(t.get(id));
  if (method === 'POST' && deletedSuffix) {
    t.markDeleted(id);
    return ok({ id, deleted: true });
  }
  if (method === 'DELETE' && !deletedSuffix) {
    t.remove(id);
    return ok({ id, removed: true });
  }
  return undefined;
}

function addEvent(body: Record<string, unknown>, t: ControlTarget): Reply {
  const evt = isRecord(body.event) ? body.event : {};
  if (typeof evt.id !== 'string' || typeof evt.type !== 'string' || typeof evt.created !== 'number') {
    throw invalidRequest('event must be a Stripe event with id, type and created', 'event');
  }
  t.addEvent(evt as { id: string; type: string; created: number }, { delivered: body.delivered !== false });
  return ok({ id: evt.id }, 201);
}

/** `METHOD /path` (below the prefix) → what it does; each a thin wrapper over the in-process API. */
const ACTIONS: Record<string, (body: Record<string, unknown>, t: ControlTarget) => Reply> = {
  'POST /objects': (body, t) => {
    const obj = stripeObject(body);
    t.put(obj);
    return ok(t.get(obj.id), 201);
  },
  'POST /events': addEvent,
  'GET /requests': (_, t) =>
    ok({ requests: t.requests.map(logged), unexpected: t.unexpected, faults_injected: t.faultsInjected }),
  'DELETE /requests': (_, t) => {
    t.resetRequests();
    return ok({ requests: 0 });
  },
  'POST /reset': (_, t) => {
    t.reset();
    return ok({ reset: true });
  },
  'POST /faults': (body, t) => {
    t.setFaults(faultOptions(body));
    return ok({ faults: true });
  },
  'DELETE /faults': (_, t) => {
    t.clearFaults();
    return ok({ faults: false });
  },
  'POST /latency': (body, t) => {
    const ms = num(body, 'ms', 0, 60_000);
    t.setLatency(ms);
    return ok({ latency_ms: ms });
  },
};

/** Answers a control request (path under CONTROL_PREFIX) or throws a StandInError. */
export function controlRoute(method: string, path: string, body: Record<string, unknown>, t: ControlTarget): Reply {
  const rest = path.slice(CONTROL_PREFIX.length);
  const object = /^\/objects\/([^/]+)(\/deleted)?$/.exec(rest);
  const objectReply = object
    ? objectRoute(method, decodeURIComponent(object[1]), object[2] !== undefined, t)
    : undefined;
  if (objectReply) return objectReply;
  const entitlements = /^\/entitlements\/([^/]+)$/.exec(rest);
  if (entitlements && method === 'PUT') {
    const customer = decodeURIComponent(entitlements[1]);
    return ok({ customer, data: t.setEntitlements(customer, entitlementSpecs(body)) });
  }
  const action = ACTIONS[`${method} ${rest}`];
  if (action) return action(body, t);
  const meters = meterControlRoute(method, rest, body, t);
  if (meters) return meters;
  throw unrecognizedUrl(method, path);
}
