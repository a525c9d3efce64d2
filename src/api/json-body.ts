/** Reads a small JSON request body (no body parser is installed app-wide; the webhook route needs raw bytes). */
import type { Context } from 'koa';
import getRawBody from 'raw-body';

/** What a route reads unless it says otherwise. */
export const JSON_BODY_LIMIT_BYTES = 64 * 1024;

export async function readJsonBody(ctx: Context, limitBytes = JSON_BODY_LIMIT_BYTES): Promise<unknown> {
  // If a body parser ran earlier in the chain, use its result rather than a consumed stream.
  const parsed = (ctx.request as { body?: unknown }).body;
  if (parsed !== undefined) return parsed;
  let raw: string;
  try {
    raw = await getRawBody(ctx.req, {
      limit: limitBytes,
      encoding: 'utf8',
      length: ctx.get('content-length') || undefined,
    });
  } catch (error) {
    if ((error as { status?: number }).status === 413) return ctx.throw(413, `body over ${limitBytes} bytes`);
    return ctx.throw(400, 'could not read body');
  }
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    return ctx.throw(400, 'body is not valid JSON');
  }
}
