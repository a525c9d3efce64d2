/**
 * StripeStandIn: a local HTTP server (node:http only) that speaks enough of Stripe's wire format
 * for the real `stripe` SDK pointed at it with `{ host: '127.0.0.1', port, protocol: 'http' }`.
 * The in-process API (store, meters, request log, faults, latency) is StandInState (./state.ts);
 * the routes are ./routes.ts (Stripe's) and ./control.ts (/_stand-in/, to drive it over HTTP).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CONTROL_PREFIX, controlRoute, type ControlTarget } from './control';
import { authenticationFailed, faultReply, idempotencyMismatch, StandInError, type Reply } from './errors';
import { header, parseBody, readBody, send } from './http';
import type { RecordedRequest } from './requests';
import { route } from './routes';
import { StandInState } from './state';
import { parseForm } from './util';

export type { FaultOptions } from './faults';
export type { RecordedRequest } from './requests';

export interface StandInOptions {
  port?: number;
  /** When set, every /v1 and session call must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Lifetime of meter event session tokens (default 15 minutes). */
  meterSessionTtlMs?: number;
  /** `false` keeps `requests` empty (long benchmarks); `unexpected` is still filled. Default true. */
  recordRequests?: boolean;
}

export class StripeStandIn extends StandInState implements ControlTarget {
  private readonly sockets = new Set<Socket>();
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly opts: StandInOptions,
  ) {
    super(opts.meterSessionTtlMs);
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
    this.meters.close();
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
    if (rec.path.startsWith(`${CONTROL_PREFIX}/`)) {
      send(res, this.control(rec), req.headers);
      return;
    }
    if (this.opts.recordRequests !== false) this.requests.push(rec);
    if (this.latencyMs > 0) await this.delay(this.latencyMs);
    if (this.closed || res.destroyed) return;
    const fault = this.faults.pick(rec.path);
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

  /** A control request: answered at once, not recorded, never faulted. */
  private control(rec: RecordedRequest): Reply {
    try {
      return controlRoute(rec.method, rec.path, rec.body, this);
    } catch (e) {
      if (e instanceof StandInError) return e.reply;
      return {
        status: 400,
        body: { error: { type: 'invalid_request_error', message: String(e instanceof Error ? e.message : e) } },
      };
    }
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
      const reply = route(rec, {
        store: this.store,
        meters: this.meters,
        baseUrl: this.url,
        portalSessions: this.portalSessions,
      });
      if (key && rec.method === 'POST' && reply.status < 500 && reply.status !== 429)
        this.idempotency.set(key, { fingerprint, reply });
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

  /** /v1, /v2/core and the session call need an API key (the exact one when `apiKey` was given); the stream checks its token itself. */
  private authenticate(rec: RecordedRequest): void {
    const keyed = rec.path.startsWith('/v1/') || rec.path.startsWith('/v2/core/');
    if (!keyed && rec.path !== '/v2/billing/meter_event_session') return;
    const m = /^Bearer\s+(\S+)$/i.exec(header(rec.headers, 'authorization') ?? '');
    if (!m)
      throw authenticationFailed(
        'You did not provide an API key. You need to provide your API key in the Authorization header.',
      );
    if (this.opts.apiKey !== undefined && m[1] !== this.opts.apiKey) {
      throw authenticationFailed(
        `Invalid API Key provided: ${m[1].slice(0, 8)}${'*'.repeat(Math.max(0, m[1].length - 12))}${m[1].slice(-4)}`,
      );
    }
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
