/** Bearer-token check for /v1: constant-time compare against API_KEYS; none configured → all refused. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function bearerAuth(apiKeys: readonly string[]): Middleware {
  const accepted = apiKeys.map(digest);
  return async (ctx, next) => {
    const match = /^Bearer (.+)$/i.exec(ctx.get('authorization'));
    // Hashing first gives equal-length buffers, so timingSafeEqual never leaks a key's length.
    const presented = match ? digest(match[1]) : null;
    if (!presented || !accepted.some((key) => timingSafeEqual(key, presented))) {
      ctx.set('WWW-Authenticate', 'Bearer');
      ctx.throw(401, 'missing or invalid bearer token');
    }
    await next();
  };
}
