/**
 * Everything under /admin: the operator console (src/admin/console.ts) and Bull Board at
 * /admin/queues over every queue the service wires (the list is passed in, so a new queue only
 * needs adding in roles/api.ts). Both sit behind one guard (src/admin/guard.ts): basic auth, writes
 * only from the console's own pages, 403 for every write under ADMIN_READ_ONLY=true, and Bull
 * Board's add-job and edit-job-data routes refused for everyone. Without ADMIN_USER and
 * ADMIN_PASSWORD nothing is mounted (404). ADMIN_READ_ONLY=true also puts the board in its own
 * read-only mode, which hides its buttons.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Queue } from 'bullmq';
import type { Middleware } from 'koa';
import { type ConsoleDeps, consoleRoutes } from '../admin/console';
import { adminGuard, isAdminPath } from '../admin/guard';
import { BOARD_BASE } from '../admin/layout';

export interface AdminOptions {
  queues: readonly Queue[];
  user?: string;
  password?: string;
  readOnly: boolean;
  /** What the console reads and does (its queues and read-only flag are the board's). */
  console: Omit<ConsoleDeps, 'queues' | 'readOnly'>;
}

const isBoardPath = (path: string): boolean => path === BOARD_BASE || path.startsWith(`${BOARD_BASE}/`);

function bullBoard(queues: readonly Queue[], readOnly: boolean): Middleware {
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(BOARD_BASE);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: readOnly })),
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnly ? 'Billing queues (read-only)' : 'Billing queues' } },
  });
  return serverAdapter.registerPlugin();
}

/** The console and the board behind the guard, or undefined when no credentials are configured (not mounted). */
export function adminRoutes(options: AdminOptions): Middleware | undefined {
  const { user, password, readOnly } = options;
  if (!user || !password) return undefined;
  const guard = adminGuard({ user, password, readOnly });
  const board = bullBoard(options.queues, readOnly);
  const router = consoleRoutes({ ...options.console, queues: options.queues, readOnly });
  // The router's own context type adds `params`; Koa's plain context is what arrives here.
  const pages = router.routes() as Middleware;
  const methods = router.allowedMethods() as Middleware;
  return async (ctx, next) => {
    if (!isAdminPath(ctx.path)) return next();
    return guard(ctx, () => (isBoardPath(ctx.path) ? board(ctx, next) : pages(ctx, () => methods(ctx, next))));
  };
}
