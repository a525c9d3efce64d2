/**
 * The ceiling of the access benchmark: a bare Koa route that answers GET
 * /v1/customers/:id/access with the same JSON as the service, from a Map in memory (no auth, no
 * database). Answers come from a JSON file (`ACCESS_ANSWERS`) written by bench/access.ts.
 */
import { createServer, Server } from 'node:http';
import { readFileSync } from 'node:fs';
import Koa from 'koa';

export type AccessAnswers = Record<
  string,
  { customer: string; access: boolean; status: string | null; reason: string }
>;

export function listenAccessCeiling(answers: AccessAnswers, port: number): Promise<Server> {
  const byId = new Map(Object.entries(answers));
  const app = new Koa();
  app.use(async (ctx) => {
    const m = /^\/v1\/customers\/([^/]+)\/access$/.exec(ctx.path);
    const answer = m && ctx.method === 'GET' ? byId.get(m[1]) : undefined;
    if (!answer) return ctx.throw(404);
    ctx.body = answer;
  });
  return new Promise((resolve, reject) => {
    const server = createServer(app.callback());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export const readAnswers = (path: string): AccessAnswers => JSON.parse(readFileSync(path, 'utf8')) as AccessAnswers;
