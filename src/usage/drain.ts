/**
 * One drain: claim pending usage (everything, or the customers waiting for an invoice flush), then send every open claim —
 * the new one and any left by a crashed or failed drain — oldest first. Per claim: plan events,
 * skip identifiers the ledger already holds, send the rest in batches of ≤ 100 at the configured
 * rate, write each accepted batch to the ledger, and release the claim only when all are accepted.
 * A crash anywhere leaves the claim in Redis; the next drain recomputes the same identifiers.
 */
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import type { UsageDrainResult } from '../queues/usage-drain-queue';
import { claimWindowSeconds, type OpenClaim, UsageStore } from './claims';
import { encodeField } from './keys';
import { invoiceFlushClaim } from './invoice-flush';
import { alreadySent, recordSent } from './ledger';
import { MeterRateLimited, type MeterStream } from './meter-stream';
import { planClaim, toBatches, toStreamEvent } from './plan';
import type { RateLimiter } from '../lib/rate-limiter';

export interface DrainDeps {
  store: UsageStore;
  dataSource: DataSource;
  stream: Pick<MeterStream, 'send'>;
  limiter: Pick<RateLimiter, 'acquire'>;
  log: Logger;
  keyPrefix: string;
  windowSeconds: number;
  /** Called after Stripe accepted batch `index` of a claim, before the ledger write (tests, metrics). */
  afterBatchAccepted?: (claimId: string, index: number) => Promise<void> | void;
}

/** `skipped`: events the ledger shows accepted already (resumed claims). */
export type DrainResult = UsageDrainResult;

/** Everything pending, or only the customers whose invoice asked for a flush. */
export type DrainScope = 'all' | 'invoice-flush';

export async function drainUsage(deps: DrainDeps, scope: DrainScope = 'all'): Promise<DrainResult> {
  const only = scope === 'invoice-flush' ? await invoiceFlushClaim(deps.store, deps.dataSource) : undefined;
  const open = await deps.store.claim(deps.windowSeconds, only);
  const result: DrainResult = { claims: 0, events: 0, value: 0, requests: 0, skipped: 0 };
  let firstError: unknown;
  for (const claim of open) {
    try {
      await drainClaim(deps, claim, result);
      result.claims++;
    } catch (error) {
      // 429: stop everything and back off. Anything else: keep going so one claim cannot block the rest.
      if (error instanceof MeterRateLimited) throw error;
      deps.log.warn({ claimId: claim.id, err: (error as Error).message }, 'usage claim not delivered; it stays claimed');
      firstError ??= error;
    }
  }
  if (firstError) throw firstError;
  return result;
}

async function drainClaim(deps: DrainDeps, claim: OpenClaim, result: DrainResult): Promise<void> {
  const contents = await deps.store.read(claim.id);
  const plan = planClaim(claim.id, contents.cells, {
    keyPrefix: deps.keyPrefix,
    windowSeconds: claimWindowSeconds(claim.id, deps.windowSeconds),
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  const sent = await alreadySent(deps.dataSource, plan.events.map((e) => e.identifier));
  const todo = plan.events.filter((e) => !sent.has(e.identifier));
  result.skipped += plan.events.length - todo.length;
  const batches = toBatches(todo);
  for (const [index, batch] of batches.entries()) {
    await deps.limiter.acquire();
    result.requests++;
    await deps.stream.send(batch.map(toStreamEvent));
    await deps.afterBatchAccepted?.(claim.id, index);
    await recordSent(deps.dataSource, batch);
    result.events += batch.length;
    result.value += batch.reduce((sum, e) => sum + Number(e.value), 0);
  }
  const setAside = [...contents.invalid, ...plan.negative.map((c): [string, string] => [encodeField(c), c.value])];
  if (setAside.length) deps.log.error({ claimId: claim.id, cells: setAside.length }, 'usage cells set aside (unparseable or negative)');
  await deps.store.release(claim.id, setAside);
  deps.log.info({ claimId: claim.id, events: todo.length, skipped: plan.events.length - todo.length, batches: batches.length }, 'usage claim delivered');
}
