/**
 * `npm run chaos`: starts a private PostgreSQL and Redis, then runs every fault-injection
 * scenario of issue 6 against real api/worker processes and the Stripe stand-in, prints one row
 * per scenario and writes chaos/results/latest.json (and CHAOS.md after a full run).
 *
 *   CHAOS_SCALE=full|ci|<fraction>   sizes (default full)
 *   CHAOS_SCENARIOS=1,2,7            which scenarios (default all)
 *   CHAOS_SEED=<int>                 generator seed (default: time-based, printed)
 */
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distEntry, killAllServiceProcesses, projectRoot } from './infra/processes';
import { PrivatePostgres } from './infra/private-postgres';
import { PrivateRedis } from './infra/private-redis';
import { formatRow, TABLE_HEADER, writeReports } from './report';
import { scaleFromEnv } from './scale';
import type { ScenarioResult } from './scenario';
import { runScenario, SCENARIOS } from './scenarios';

async function main(): Promise<void> {
  const scale = scaleFromEnv(process.env.CHAOS_SCALE);
  const wanted = process.env.CHAOS_SCENARIOS
    ? process.env.CHAOS_SCENARIOS.split(',').map(Number)
    : SCENARIOS.map((s) => s.id);
  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
  const logDir = mkdtempSync(join(tmpdir(), 'chaos-logs-'));
  console.log(`chaos: scale ${scale.name}, scenarios ${wanted.join(',')}, seed ${seed}, process logs in ${logDir}`);
  const postgres = await PrivatePostgres.start();
  const redis = await PrivateRedis.start();
  console.log(`chaos: private PostgreSQL on ${postgres.port}, private Redis on ${redis.port}`);
  const cleanup = async () => {
    killAllServiceProcesses();
    await redis.destroy().catch(() => undefined);
    await postgres.destroy().catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.once('exit', killAllServiceProcesses);
  const results: ScenarioResult[] = [];
  const started = Date.now();
  try {
    for (const scenario of SCENARIOS.filter((s) => wanted.includes(s.id))) {
      const result = await runScenario(scenario, {
        servers: { postgresAdminUrl: postgres.adminUrl, redisUrl: redis.url, postgres, redis },
        entry: distEntry(),
        logDir,
        scale,
        seed,
        log: (m) => console.log(`  [${scenario.id}] ${m}`),
      });
      results.push(result);
      console.log(`${TABLE_HEADER}\n${formatRow(result)}`);
      if (result.error) console.log(`  [${scenario.id}] error: ${result.error}`);
    }
  } finally {
    await cleanup();
  }
  const full = scale.name === 'full' && wanted.length === SCENARIOS.length;
  const written = writeReports(projectRoot(), results, {
    scale: scale.name,
    seed,
    full,
    totalMs: Date.now() - started,
  });
  console.log(`\n${TABLE_HEADER}\n${results.map(formatRow).join('\n')}\n\nchaos: wrote ${written.join(', ')}`);
  const bad = results.filter((r) => r.error || r.lost || r.doubled || r.wrong);
  process.exit(bad.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(`chaos failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
