/**
 * StripeStandIn: a local HTTP server (node:http only) that speaks enough of Stripe's wire format
 * for the real `stripe` SDK pointed at it with `{ host: '127.0.0.1', port, protocol: 'http' }`.
 * Holds an in-memory store of current truth, logs every request, injects faults and latency.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { header, parseBody, readBody, send } from './http';
import type { AddressInfo, Socket } from 'node:net';
import { authenticationFailed, faultReply, idempotencyMismatch, StandInError, type Reply } from './errors';
import { MeterService, type MeterEventRecord, type MeterEventRejection } from './meters';
import { route } from './routes';
import { ObjectStore } from './store';
import { parseForm, seededRandom, type StripeObject } from './util';

/** One request as the stand-in received it (`faulted` when an injected fault answered it). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  rawBody: string;
  headers: IncomingHttpHeaders;
  status?: number;
  faulted?: boolean;
}

/** Fault injection: each matching request fails with probability `rate` (status 0 = drop the socket). */
export interface FaultOptions {
  rate: number;
  statuses: number[];
  paths?: RegExp;
  seed?: number;
  /** Stop injecting after this many faults. */
  times?: number;
}

export interface StandInOptions {
  port?: number;
  /** When set, every /v1 and session call must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Lifetime of meter event session tokens (default 15 minutes). */
  meterSessionTtlMs?: number;
  /** `false` keeps `requests` empty (long benchmarks); `unexpected` is still filled. Default true. */
  recordRequests?: boolean;
}

export class StripeStandIn {
  /** Every request received, in order (faulted and unexpected ones included). */
  readonly requests: RecordedRequest[] = [];
  /** `"METHOD /path"` of every request no route knew. */
  readonly unexpected: string[] = [];
  /** Parsed params of every Customer Portal session created. */
  readonly portalSessions: Array<Record<string, unknown>> = [];
  /** Number of faults injected so far. */
  faultsInjected = 0;
  private readonly store = new ObjectStore();
  private readonly meters: MeterService;
  private readonly sockets = new Set<Socket>();
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly idempotency = new Map<string, { fingerprint: string; reply: Reply }>();
  private faults?: FaultOptions & { random: () => number };
  private latencyMs = 0;
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly opts: StandInOptions,
  ) {
    this.meters = new MeterService(opts.meterSessionTtlMs);
  }

  /** Starts a stand-in on 127.0.0.1 (`port` 0 or absent = a free port). */
  static async start(opts: StandInOptions = {}): Promise<StripeStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    const standIn = new StripeStandIn(server, (server.address() as AddressInfo).port, opts);
    server.on('connection', (s) => {
      standIn.sockets.add(s);
      s.once('close', () => standIn.sockets.delete(s));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void standIn.handle(req, res));
    return standIn;
  }

  /** Base URL, e.g. `http://127.0.0.1:12345`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops listening and destroys every open socket (no handles left behind). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waits) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.waits.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await done;
  }

  /** Stores (or replaces) any Stripe object with `id` and `object`. Events may carry `_undelivered: true`. */
  put(obj: { id: string; object: string }): void {
    this.store.put(obj as StripeObject);
  }

  /** A copy of the stored object; a deleted customer/product reads `{ id, object, deleted: true }`. */
  get<T = StripeObject>(id: string): T | undefined {
    return this.store.get(id) as T | undefined;
  }

  /** Customers/products: retrieve answers `{ id, object, deleted: true }`; other types: removed (404). */
  markDeleted(id: string): void {
    this.store.markDeleted(id);
  }

  /** Forgets an object; retrieve answers 404 afterwards. */
  remove(id: string): void {
    this.store.remove(id);
  }

  /**
   * Adds an event for `GET /v1/events`. It counts as undelivered (`delivery_success=false`) when
   * `opts.delivered === false` or the event carries `_undelivered: true` (stripped from output).
   */
  addEvent(event: { id: string; type: string; created: number; object?: string; _undelivered?: boolean }, opts: { delivered?: boolean } = {}): void {
    this.store.put({ object: 'event', ...event } as StripeObject);
    if (opts.delivered !== undefined) this.store.setUndelivered(event.id, !opts.delivered);
  }

  /** All live objects of one type (e.g. `'subscription'`), newest first. */
  list<T = StripeObject>(type: string): T[] {
    return this.store.all(type) as T[];
  }

  /** Meter events Stripe accepted (v1 and v2), in arrival order. */
  get meterEvents(): readonly MeterEventRecord[] {
    return this.meters.events;
  }

  /** Meter events accepted on the wire but failing validation (Stripe reports them asynchronously). */
  get meterEventRejections(): readonly MeterEventRejection[] {
    return this.meters.rejected;
  }

  /** v2 stream events dropped because their identifier had been seen before. */
  get droppedDuplicateMeterEvents(): number {
    return this.meters.droppedDuplicates;
  }

  /** Sum of numeric `value` per `${stripe_customer_id}|${event_name}` over accepted meter events. */
  meterTotals(): Map<string, number> {
    return this.meters.totals();
  }

  /** Lifetime of meter event session tokens created from now on. */
  setMeterSessionTtl(ms: number): void {
    this.meters.sessionTtlMs = ms;
  }

  /** Expires every meter event session token issued so far. */
  expireMeterSessions(): void {
    this.meters.expireSessions();
  }

  /** Counts recorded requests matching a predicate or `{ method, pathPrefix }`. */
  countRequests(filter: ((r: RecordedRequest) => boolean) | { method?: string; pathPrefix?: string }): number {
    const pred =
      typeof filter === 'function'
        ? filter
        : (r: RecordedRequest) =>
            (!filter.method || r.method === filter.method.toUpperCase()) &&
            (!filter.pathPrefix || r.path.startsWith(filter.pathPrefix));
    return this.requests.filter(pred).length;
  }

  /** Empties the request log and the unexpected list. */
  resetRequests(): void {
    this.requests.length = 0;
    this.unexpected.length = 0;
  }

  /** Back to an empty stand-in: store, meters, logs, portal sessions, faults and latency. */
  reset(): void {
    this.store.clear();
    this.meters.clear();
    this.idempotency.clear();
    this.portalSessions.length = 0;
    this.resetRequests();
    this.clearFaults();
    this.latencyMs = 0;
  }

  /** Injects faults; a faulted request has no effect at all. Seeded → deterministic sequence. */
  setFaults(opts: FaultOptions): void {
    if (opts.rate < 0 || opts.rate > 1 || opts.statuses.length === 0) throw new Error('setFaults: rate in [0,1] and at least one status');
    this.faults = { ...opts, random: opts.seed === undefined ? Math.random : seededRandom(opts.seed) };
  }

  clearFaults(): void {
    this.faults = undefined;
    this.faultsInjected = 0;
  }

  /** Delays every response by `ms`. */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => undefined);
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const contentType = String(req.headers['content-type'] ?? '');
    const rec: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: parseForm(url.search.slice(1)),
      body: parseBody(contentType, rawBody),
      rawBody,
      headers: req.headers,
    };
    if (this.opts.recordRequests !== false) this.requests.push(rec);
    if (this.latencyMs > 0) await this.delay(this.latencyMs);
    if (this.closed || res.destroyed) return;
    const fault = this.pickFault(rec.path);
    if (fault !== undefined) {
      rec.faulted = true;
      rec.status = fault;
      if (fault === 0) req.socket.destroy();
      else send(res, faultReply(fault), req.headers);
      return;
    }
    const reply = this.answer(rec);
    rec.status = reply.status;
    send(res, reply, req.headers);
  }

  private answer(rec: RecordedRequest): Reply {
    try {
      this.authenticate(rec);
      const key = header(rec.headers, 'idempotency-key');
      const fingerprint = `${rec.method} ${rec.path} ${rec.rawBody}`;
      const cached = key && rec.method === 'POST' ? this.idempotency.get(key) : undefined;
      if (cached) {
        if (cached.fingerprint !== fingerprint) throw idempotencyMismatch(key!);
        return { ...cached.reply, headers: { ...cached.reply.headers, 'Idempotent-Replayed': 'true' } };
      }
      const reply = route(rec, { store: this.store, meters: this.meters, baseUrl: this.url, portalSessions: this.portalSessions });
      if (key && rec.method === 'POST' && reply.status < 500 && reply.status !== 429) this.idempotency.set(key, { fingerprint, reply });
      return reply;
    } catch (e) {
      if (e instanceof StandInError) {
        if (e.unexpected) this.unexpected.push(`${rec.method} ${rec.path}`);
        return e.reply;
      }
      // A bug in the stand-in itself: fail loudly in the unexpected list too.
      this.unexpected.push(`${rec.method} ${rec.path} (stand-in error: ${String(e)})`);
      return { status: 500, body: { error: { type: 'api_error', message: `stand-in error: ${String(e)}` } } };
    }
  }

  /** /v1 and the session call need an API key (the exact one when `apiKey` was given); the stream checks its token itself. */
  private authenticate(rec: RecordedRequest): void {
    if (!rec.path.startsWith('/v1/') && rec.path !== '/v2/billing/meter_event_session') return;
    const m = /^Bearer\s+(\S+)$/i.exec(header(rec.headers, 'authorization') ?? '');
    if (!m) throw authenticationFailed('You did not provide an API key. You need to provide your API key in the Authorization header.');
    if (this.opts.apiKey !== undefined && m[1] !== this.opts.apiKey) {
      throw authenticationFailed(`Invalid API Key provided: ${m[1].slice(0, 8)}${'*'.repeat(Math.max(0, m[1].length - 12))}${m[1].slice(-4)}`);
    }
  }

  private pickFault(path: string): number | undefined {
    const f = this.faults;
    if (!f || (f.paths && !f.paths.test(path))) return undefined;
    if (f.times !== undefined && this.faultsInjected >= f.times) return undefined;
    if (f.random() >= f.rate) return undefined;
    this.faultsInjected++;
    return f.statuses[Math.floor(f.random() * f.statuses.length)];
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const w = {
        timer: setTimeout(() => {
          this.waits.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      this.waits.add(w);
    });
  }
}
