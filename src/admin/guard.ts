/**
 * What every request under /admin (the console and Bull Board) passes before it is served:
 *
 *   not under /admin ──> not ours
 *   no or wrong basic auth ──> 401 (constant-time comparison of user and password, always both)
 *   a read (GET, HEAD, OPTIONS) ──> served
 *   a write:
 *     Bull Board's add-job or edit-job-data route ──> 403 for everyone: the worker trusts what is
 *         in the queue, so a job added there could forge any Stripe event or notification
 *     sent from another site ──> 403: a cross-site form would otherwise ride the browser's
 *         remembered basic-auth credentials
 *     ADMIN_READ_ONLY=true ──> 403
 *     else ──> served (the console's resync, Bull Board's retries and removals)
 *
 * "From another site" follows the browsers' own signals, as Go's net/http CrossOriginProtection
 * does: `Sec-Fetch-Site` when present must be `same-origin` (or `none`, a user's own navigation);
 * without it an `Origin` must name this host; a request with neither did not come from a browser
 * form or script (browsers send one of them on every POST), so it is a tool like curl and passes.
 * Paths are matched case-insensitively, as the routers behind them match.
 */
import type { Middleware } from 'koa';
import { secureEqual } from '../lib/secure-compare';

export interface AdminGuardOptions {
  user: string;
  password: string;
  readOnly: boolean;
}

/** What the guard needs to know of a write. */
export interface AdminRequest {
  method: string;
  path: string;
  /** The Host the request was sent to (X-Forwarded-Host behind a proxy). */
  host: string;
  origin?: string;
  fetchSite?: string;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Bull Board's routes (node_modules/@bull-board/api/dist/routes.js) that put data of the caller's
 * choosing on a queue: `POST /api/queues/:queueName/add` and `PATCH /api/queues/:queueName/:jobId/update-data`.
 */
const FORBIDDEN_BOARD_ROUTES = [
  /^\/admin\/queues\/api\/queues\/[^/]+\/add$/,
  /^\/admin\/queues\/api\/queues\/[^/]+\/[^/]+\/update-data$/,
];

export const isAdminPath = (path: string): boolean => /^\/admin(\/|$)/i.test(path);

/** Decoded, lower case, without trailing slashes: every spelling a router might still accept. */
function normalizePath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape is matched as sent.
  }
  return decoded.toLowerCase().replace(/\/+$/, '');
}

export const isForbiddenBoardRoute = (path: string): boolean =>
  FORBIDDEN_BOARD_ROUTES.some((route) => route.test(normalizePath(path)));

/** True when a browser says the request came from another site (see the header comment). */
export function isCrossSite(request: Pick<AdminRequest, 'host' | 'origin' | 'fetchSite'>): boolean {
  if (request.fetchSite !== undefined) return request.fetchSite !== 'same-origin' && request.fetchSite !== 'none';
  if (request.origin === undefined) return false;
  try {
    return new URL(request.origin).host.toLowerCase() !== request.host.toLowerCase();
  } catch {
    return true; // `Origin: null` (sandboxed frames, data: URLs) and anything unparsable
  }
}

/** Why a request that passed basic auth is refused (403), or null when it may be served. Pure. */
export function refusalOf(request: AdminRequest, readOnly: boolean): string | null {
  if (READ_METHODS.has(request.method.toUpperCase())) return null;
  if (isForbiddenBoardRoute(request.path)) return 'adding jobs and editing job data are disabled';
  if (isCrossSite(request)) return "cross-site request refused: writes come only from the console's own pages";
  if (readOnly) return 'read-only: ADMIN_READ_ONLY=true refuses every write';
  return null;
}

/** Parses `Authorization: Basic …`; checks user and password in constant time, always both. */
export function basicAuthMatches(header: string | undefined, user: string, password: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const [givenUser, givenPassword] = colon < 0 ? ['', ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  // Both comparisons always run, so timing reveals neither which part was wrong nor any length.
  const userOk = secureEqual(givenUser, user);
  const passwordOk = secureEqual(givenPassword, password);
  return colon >= 0 && userOk && passwordOk;
}

export function adminGuard(options: AdminGuardOptions): Middleware {
  return async (ctx, next) => {
    if (!isAdminPath(ctx.path)) return next();
    if (!basicAuthMatches(ctx.get('authorization') || undefined, options.user, options.password)) {
      ctx.set('WWW-Authenticate', 'Basic realm="billing admin", charset="UTF-8"');
      ctx.status = 401;
      ctx.body = { error: 'authentication required' };
      return;
    }
    // Operator pages: never cached, never framed (a framed Bull Board button is a same-origin click).
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Frame-Options', 'DENY');
    const refusal = refusalOf(
      {
        method: ctx.method,
        path: ctx.path,
        host: ctx.host,
        origin: ctx.get('origin') || undefined,
        fetchSite: ctx.get('sec-fetch-site') || undefined,
      },
      options.readOnly,
    );
    if (refusal) return ctx.throw(403, refusal);
    return next();
  };
}
