/**
 * One drain, shard by shard (the legacy `{u}` namespace first): claim what is pending in the shard
 * (everything, or the customers waiting for an invoice flush), then send every open claim of the
 * shard — the new one and any left by a crashed or failed drain — oldest first. A drain killed
 * between shards leaves the later shards unclaimed and the earlier ones' claims open: the next drain
 * resumes those with the same identifiers.
 *
 * Per claim, page by page (HSCAN, CLAIM_PAGE_SIZE fields): read the subscription starts of the
 * page's customers (one query; a window holding one is stamped there, window.ts), plan events, skip
 * identifiers the ledger already holds, queue the rest into batches of ≤ 100 shared across claims
 * (drain-sender.ts), sent at the configured rate, each accepted batch written to the ledger.
 * Unaligned cells (plan.ts isAligned) are summed over the claim and queued last. A claim is
 * released only when all its events are accepted; a crash anywhere leaves it in Redis. A claim
 * resumed more than 23 hours after it was made first asks Stripe's summaries and sends only what
 * Stripe lacks (late-resume.ts). A failed claim does not stop the drain (a 429 does, at once): the
 * drain goes on and fails at the end with every step's error.
 */
import type { UsageDrainResult } from '../queues/usage-drain-queue';
import {
  claimTimeMs,
  claimWindowSeconds,
  isPagedClaim,
  type ClaimContents,
  type ClaimedCell,
  type OpenClaim,
} from './claim';
import { encodeField } from './keys';
import { invoiceFlushClaim } from './invoice-flush';
import { alreadySent } from './ledger';
import { MeterRateLimited } from './meter-stream';
import { DrainDeps, DrainSender } from './drain-sender';
import { isAligned, planClaim } from './plan';
import { LATE_RESUME_MS, resumeLate } from './late-resume';
import { sendUnsentFixes, type FixDeps } from './reconcile-fix';
import { subscriptionStarts } from './subscription-starts';
import { windowStart } from './window';

export type { DrainDeps } from './drain-sender';

/** Everything pending, or only the customers whose invoice asked for a flush. */
export type DrainScope = 'all' | 'invoice-flush';

export async function drainUsage(deps: DrainDeps, scope: DrainScope = 'all'): Promise<UsageDrainResult> {
  const result: UsageDrainResult = { claims: 0, events: 0, value: 0, requests: 0, skipped: 0 };
  const sender = new DrainSender(deps, result);
  // Fixes a late resume (or a --fix) wrote and could not send before it died go out first.
  await sendUnsentFixes(fixDeps(deps));
  const failures: DrainFailure[] = [];
  // Runs one step; a failure other than a 429 leaves the claims involved open and lets the drain go on.
  const attempt = async (claimId: string | undefined, step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      // 429: stop everything and back off. Anything else: keep going so one claim cannot block the rest.
      if (error instanceof MeterRateLimited) throw error;
      sender.discard();
      deps.log.warn({ claimId, err: error }, 'usage not delivered; its claims stay open');
      failures.push({ claimId, error });
    }
  };
  for (const keys of deps.store.namespaces()) {
    const only = scope === 'invoice-flush' ? await invoiceFlushClaim(deps.store, keys, deps.dataSource) : undefined;
    for (const claim of await deps.store.claim(keys, deps.windowSeconds, only)) {
      await attempt(claim.id, () => drainClaim(deps, claim, sender, result));
    }
  }
  await attempt(undefined, () => sender.flush());
  if (failures.length > 0) throw drainFailed(failures);
  return result;
}

/** A step that failed: a claim's (its id), or the last batch's (no id). */
export interface DrainFailure {
  claimId: string | undefined;
  error: unknown;
}

/**
 * What a drain with failed steps throws: the one error as it was, or every one in an
 * AggregateError whose message names each step, so the failed job shows all of them. Pure.
 */
export function drainFailed(failures: readonly DrainFailure[]): unknown {
  if (failures.length === 1) return failures[0].error;
  const steps = failures.map(
    (f) =>
      `${f.claimId === undefined ? 'last batch' : `claim ${f.claimId}`}: ${(f.error as Error)?.message ?? f.error}`,
  );
  return new AggregateError(
    failures.map((f) => f.error),
    `${failures.length} usage drain steps failed (${steps.join('; ')})`,
  );
}

/** Plans one claim page by page (HSCAN) into the sender; its release waits for its last batch. */
async function drainClaim(
  deps: DrainDeps,
  claim: OpenClaim,
  sender: DrainSender,
  result: UsageDrainResult,
): Promise<void> {
  const windowSeconds = claimWindowSeconds(claim.id, deps.windowSeconds);
  const nowMs = (deps.now ?? Date.now)();
  const opts = { keyPrefix: deps.keyPrefix, windowSeconds, nowSeconds: Math.floor(nowMs / 1000) };
  // Stripe may no longer remember this claim's identifiers: ask its summaries before re-sending.
  const late = deps.late && nowMs - claimTimeMs(claim.id) > LATE_RESUME_MS ? deps.late : undefined;
  const setAside: ClaimContents['invalid'] = [];
  let events = 0;
  const queue = async (cells: ClaimedCell[]) => {
    const first = cells.reduce((min, c) => Math.min(min, windowStart(c.windowStart, windowSeconds)), Infinity);
    const starts = await subscriptionStarts(
      deps.dataSource,
      cells.map((c) => c.customer),
      first,
    );
    const plan = planClaim(claim.id, cells, { ...opts, starts });
    setAside.push(...plan.negative.map((c): [string, string] => [encodeField(c), c.value]));
    const sent = await alreadySent(
      deps.dataSource,
      plan.events.map((e) => e.identifier),
    );
    const unrecorded = plan.events.filter((e) => !sent.has(e.identifier));
    result.skipped += plan.events.length - unrecorded.length;
    const todo =
      late && unrecorded.length
        ? await resumeLate({ ...late, fix: fixDeps(deps), log: deps.log }, claim.id, unrecorded, opts.nowSeconds)
        : unrecorded;
    events += todo.length;
    await sender.add(todo);
  };
  // Unaligned cells, by raw field (HSCAN may repeat one): summed over the whole claim, queued last.
  const unaligned = new Map<string, ClaimedCell>();
  const paged = isPagedClaim(claim.id);
  for await (const page of deps.store.pages(claim)) {
    setAside.push(...page.invalid);
    const now: ClaimedCell[] = [];
    // A claim from before paging is one page, planned whole as it was then.
    for (const c of page.cells) {
      if (!paged || isAligned(c, windowSeconds)) now.push(c);
      else unaligned.set(encodeField(c), c);
    }
    await queue(now);
  }
  await queue([...unaligned.values()]);
  await sender.afterQueued(async () => {
    if (setAside.length)
      deps.log.error({ claimId: claim.id, cells: setAside.length }, 'usage cells set aside (unparseable or negative)');
    await deps.store.release(claim, setAside);
    result.claims++;
    deps.log.info({ claimId: claim.id, events }, 'usage claim delivered');
  });
}

/** The drain's stream, limiter and ledger, as fixes use them (reconcile-fix.ts). */
const fixDeps = (deps: DrainDeps): FixDeps => ({
  dataSource: deps.dataSource,
  stream: deps.stream,
  limiter: deps.limiter,
  keyPrefix: deps.keyPrefix,
  now: deps.now,
});
