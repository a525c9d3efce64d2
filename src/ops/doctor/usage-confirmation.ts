/**
 * The "usage at Stripe" check (flow C), from PostgreSQL alone: the hours of the last 35 days whose
 * last comparison with Stripe's summaries differs (usage_reconciliations), and the meter events
 * Stripe reported refused since that comparison (usage_rejections). Fixable differences name the
 * command that fixes them.
 */
import type { UsageConfirmationState } from '../../usage/reconcile-ledger';
import { CheckResult, fail, ok } from './result';

export type UsageConfirmationFacts = UsageConfirmationState;

const CHECK = 'usage at stripe';
const FIX =
  'run `npm run usage:reconcile -- --fix` (it sends what Stripe lacks; remove the cause of a refusal first, e.g. create the customer in Stripe)';

const iso = (unixS: number) => new Date(unixS * 1000).toISOString().replace('.000Z', 'Z');

export function usageConfirmationResult(facts: UsageConfirmationFacts): CheckResult {
  const { differing, refusedSince, lastCheckedAt } = facts;
  if (differing.length === 0 && refusedSince === 0) {
    return ok(
      CHECK,
      lastCheckedAt === null
        ? 'no usage compared with Stripe yet (the scheduled reconciliation or `npm run usage:reconcile` does)'
        : `every hour compared in the last 35 days matches Stripe (last comparison ${iso(lastCheckedAt)})`,
    );
  }
  const hours = differing.reduce((sum, d) => sum + d.hours, 0);
  const meters = [...new Set(differing.flatMap((d) => d.meters))].sort();
  const parts = differing.map((d) => `${d.hours} ${d.outcome} (${d.units} units)`);
  const problem = [
    hours
      ? `${hours} hour(s) of the last 35 days differ from Stripe: ${parts.join(', ')}, meters ${meters.join(', ')}`
      : '',
    refusedSince ? `${refusedSince} meter event(s) Stripe refused since the last comparison` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const has = (outcome: string) => differing.some((d) => d.outcome === outcome);
  const fix = [
    FIX,
    has('excess') ? 'excess hours mean something else sent usage for these customers: find it' : '',
    has('expired') ? "expired hours are past Stripe's 35 days: bill them by hand" : '',
  ]
    .filter(Boolean)
    .join('; ');
  return fail(CHECK, problem, fix);
}
