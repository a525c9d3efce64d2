/** What every scenario gets and returns, and the shared end-of-scenario check for Stripe events. */
import type { Entry } from './infra/processes';
import type { Scale } from './scale';
import { CHAOS_API_KEY, Stack, type Servers } from './stack';
import { compareAccess, compareMirror, compareProcessed, workerOutcomes } from './verify';
import type { World } from './world';

export interface ScenarioContext {
  servers: Servers;
  entry: Entry;
  logDir: string;
  scale: Scale;
  seed: number;
  log: (message: string) => void;
}

export interface ScenarioResult {
  id: number;
  name: string;
  load: string;
  faults: string;
  lost: number;
  doubled: number;
  wrong: number;
  durationMs: number;
  /** Numbers behind the row (statuses, counts, examples of anything wrong). */
  details: Record<string, unknown>;
  error?: string;
}

export interface Scenario {
  id: number;
  name: string;
  /** True when it stops/starts a server, so it needs the private ones. */
  needs?: 'redis' | 'postgres';
  run(ctx: ScenarioContext): Promise<Omit<ScenarioResult, 'id' | 'name' | 'durationMs'>>;
}

export interface EventVerdict {
  lost: number;
  doubled: number;
  wrong: number;
  details: Record<string, unknown>;
}

/**
 * After the queue drained: every sent event has its processed_events row (else lost), no event
 * was applied twice (worker logs), the mirror equals the truth and every access answer equals
 * the rule applied to the truth (else wrong).
 */
export async function verifyEvents(stack: Stack, world: World): Promise<EventVerdict> {
  const sent = world.events.map((e) => e.id);
  const processed = await compareProcessed(stack.db, sent);
  const mirror = await compareMirror(stack.db, world.truth);
  const access = await compareAccess(stack.apiUrl, CHAOS_API_KEY, world.truth, world.customers);
  const outcomes = workerOutcomes(stack.allLogFiles('worker'));
  const jobs = await stack.jobCounts();
  const crashed = stack.processes.filter((p) => p.crashed).map((p) => p.name);
  return {
    lost: processed.lost.length,
    doubled: outcomes.doubled + processed.extra,
    wrong: mirror.wrong + access.wrong + crashed.length,
    details: {
      processedEventsRows: processed.rows,
      eventsSent: sent.length,
      lostExamples: processed.lost.slice(0, 10),
      mirrorObjectsChecked: mirror.checked,
      mirrorWrong: mirror.wrong,
      mirrorExamples: mirror.examples,
      accessChecked: access.checked,
      accessWrong: access.wrong,
      accessExamples: access.examples,
      jobOutcomes: outcomes.outcomes,
      rerunsCaughtByGuard: outcomes.rerunsCaught,
      jobs,
      stripeRefetches: stack.standIn.countRequests({ method: 'GET' }),
      unexpectedStripeCalls: stack.standIn.unexpected.slice(0, 10),
      processesCrashed: crashed,
    },
  };
}

/** Puts every truth object into the stand-in (what a same-second refetch will read). */
export function publishTruth(stack: Stack, world: World): void {
  for (const { object } of world.truth.values()) stack.standIn.put(object);
}

/** Number of events sharing their object and `created` second with another event (ties). */
export function countTies(world: World): number {
  const seen = new Map<string, number>();
  for (const e of world.events) {
    const key = `${(e.data.object as unknown as { id: string }).id}@${e.created}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.values()].filter((n) => n > 1).reduce((a, n) => a + n, 0);
}
