/** The scenarios of issue 6 (and 8, the Redis Cluster of issue 14; 9, usage confirmed by Stripe of issue 20), in order, and the wrapper that times one and turns a crash into a row. */
import type { Scenario, ScenarioContext, ScenarioResult } from '../scenario';
import { duplicates } from './duplicates';
import { hostileInput } from './hostile-input';
import { postgresOutage } from './postgres-outage';
import { redisCluster } from './redis-cluster';
import { redisOutage } from './redis-outage';
import { reordering } from './reordering';
import { usageConfirmation } from './usage-confirmation';
import { usageUnderFire } from './usage-under-fire';
import { workerCrashes } from './worker-crashes';

export const SCENARIOS: Scenario[] = [
  duplicates,
  reordering,
  workerCrashes,
  redisOutage,
  postgresOutage,
  usageUnderFire,
  hostileInput,
  redisCluster,
  usageConfirmation,
];

export async function runScenario(scenario: Scenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const started = Date.now();
  ctx.log(`${scenario.name}: starting`);
  try {
    const outcome = await scenario.run(ctx);
    return { id: scenario.id, name: scenario.name, durationMs: Date.now() - started, ...outcome };
  } catch (error) {
    return {
      id: scenario.id,
      name: scenario.name,
      load: '-',
      faults: '-',
      lost: 0,
      doubled: 0,
      wrong: 0,
      durationMs: Date.now() - started,
      details: {},
      error: (error as Error).stack ?? String(error),
    };
  }
}
