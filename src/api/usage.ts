/**
 * POST /v1/usage (bearer-authenticated by the caller's router): validates one event or
 * `{"events":[…]}` (≤ 1,000) and counts them in Redis through the UsageClient: a bad event refuses
 * the whole request; an event whose `id` was counted within USAGE_DEDUPE_SECONDS is not counted
 * again (`duplicates`), so a caller may retry a request whose answer it never saw.
 * Nothing calls Stripe here; the drain does, later.
 */
import Router from '@koa/router';
import { UsageClient, UsageValidationError } from '../usage/client';
import { validateUsageBody } from '../usage/validate';
import { readJsonBody } from './json-body';

/** 1,000 events of a few hundred bytes each fit comfortably. */
export const USAGE_BODY_LIMIT_BYTES = 1024 * 1024;

export function usageRoutes(deps: { usage: UsageClient }): Router {
  const router = new Router();
  router.post('/usage', async (ctx) => {
    const body = await readJsonBody(ctx, USAGE_BODY_LIMIT_BYTES);
    const checked = validateUsageBody(body, Math.floor(Date.now() / 1000));
    if (!checked.ok) return ctx.throw(400, checked.error);
    let duplicates = 0;
    try {
      ({ duplicates } = await deps.usage.record(checked.value));
    } catch (error) {
      // The clock moved between the two checks (a timestamp at the very edge of the window), or an
      // event would take its counter past 2^53 − 1: refused, nothing recorded.
      if (error instanceof UsageValidationError) ctx.throw(400, error.message);
      // Redis did not confirm the write: the caller should retry (events with an id count once). The
      // app's error sink logs the 503 once, with this error as its cause.
      ctx.throw(503, 'usage could not be recorded; retry', { cause: error });
    }
    ctx.status = 202;
    ctx.body = { accepted: checked.value.length, duplicates };
  });
  return router;
}
