/**
 * Bull Board at /admin/queues over every queue the service wires (see service.ts: the list is
 * passed in, so a new queue only needs adding there). Bull Board has no auth of its own: a
 * path-scoped basic-auth check runs first, comparing in constant time. Without ADMIN_USER and
 * ADMIN_PASSWORD nothing is mounted (404). ADMIN_READ_ONLY=true makes every queue read-only:
 * Bull Board answers 405 to retries, removals, pauses and the like.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Queue } from 'bullmq';
import type { Middleware } from 'koa';
import { secureEqual } from '../lib/secure-compare';

export const ADMIN_BASE_PATH = '/admin/queues';

export interface AdminBoardOptions {
  queues: readonly Queue[];
  user?: string;
  password?: string;
  readOnly: boolean;
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

/** The board behind basic auth, or undefined when no credentials are configured (not mounted). */
export function adminBoard(options: AdminBoardOptions): Middleware | undefined {
  const { user, password } = options;
  if (!user || !password) return undefined;
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(ADMIN_BASE_PATH);
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: options.readOnly })),
    serverAdapter,
    options: { uiConfig: { boardTitle: options.readOnly ? 'Billing queues (read-only)' : 'Billing queues' } },
  });
  const board = serverAdapter.registerPlugin();
  return async (ctx, next) => {
    if (ctx.path !== ADMIN_BASE_PATH && !ctx.path.startsWith(`${ADMIN_BASE_PATH}/`)) return next();
    if (!basicAuthMatches(ctx.get('authorization') || undefined, user, password)) {
      ctx.set('WWW-Authenticate', 'Basic realm="billing admin", charset="UTF-8"');
      ctx.status = 401;
      ctx.body = { error: 'authentication required' };
      return;
    }
    return board(ctx, next);
  };
}
