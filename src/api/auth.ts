/** Bearer-token check for /v1: constant-time compare against API_KEYS; none configured → all refused. */
import type { Middleware } from 'koa';
import { secretMatcher } from '../lib/secure-compare';

export function bearerAuth(apiKeys: readonly string[]): Middleware {
  const matches = secretMatcher(apiKeys);
  return async (ctx, next) => {
    const match = /^Bearer (.+)$/i.exec(ctx.get('authorization'));
    const presented = match?.[1];
    if (presented === undefined || !matches(presented)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      ctx.throw(401, 'missing or invalid bearer token');
    }
    await next();
  };
}
