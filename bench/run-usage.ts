/**
 * `npm run bench:usage`: only the usage-at-scale figures of `npm run bench` — the client against raw
 * pipelined INCR, the worker's peak RSS draining `drainMemoryPairs` pairs, and the Redis memory of
 * an event id — at the chosen scale; prints them and writes bench/results/usage-<scale>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { BenchEnv } from './env';
import { processLauncher } from './launch';
import { usageMemorySection } from './usage-report';
import { pickScale } from './scale';
import { benchClientRatio } from './usage';
import { benchDrainMemory, measureIdMemory } from './usage-memory';

async function main(): Promise<void> {
  const scale = pickScale();
  const env = await BenchEnv.create();
  try {
    const redis = new Redis(env.redisUrl);
    const ratio = await benchClientRatio(redis, env.prefix('c'), scale.usageIncrements).finally(() => redis.quit());
    const usageMemory = {
      drain: await benchDrainMemory(env, processLauncher, scale.drainMemoryPairs, scale.phaseTimeoutMs * 5),
      ids: await measureIdMemory(env, scale.idMemoryCount),
    };
    const result = {
      scale: scale.name,
      date: new Date().toISOString(),
      ...ratio,
      ratio: ratio.client.perSec / ratio.rawIncr.perSec,
      usageMemory,
    };
    const dir = resolve(__dirname, '..', '..', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(resolve(dir, `usage-${scale.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `client ${ratio.client.perSec.toFixed(0)}/s vs raw INCR ${ratio.rawIncr.perSec.toFixed(0)}/s: ratio ${result.ratio.toFixed(3)} (goal ≥ 0.5; rounds ${ratio.roundRatios.map((x) => x.toFixed(3)).join(', ')}); with ids ${ratio.clientWithIds.perSec.toFixed(0)}/s`,
    );
    console.log(usageMemorySection(usageMemory).join('\n'));
  } finally {
    await env.cleanup();
  }
}

main().catch((error: Error) => {
  console.error(`usage benchmark failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
