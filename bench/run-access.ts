/**
 * `npm run bench:access`: only section 6 of `npm run bench` — GET /v1/customers/:id/access over
 * 10,000 customers against the bare Koa route — at the chosen scale; prints the section and writes
 * bench/results/access-<scale>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { benchAccess } from './access';
import { accessSection } from './access-report';
import { BenchEnv } from './env';
import { processLauncher } from './launch';
import { pickScale } from './scale';

async function main(): Promise<void> {
  const scale = pickScale();
  const env = await BenchEnv.create();
  try {
    const prefix = env.prefix('a');
    const api = await processLauncher.service(env, { role: 'api', prefix });
    const result = await benchAccess(env, processLauncher, api, prefix, scale);
    await api.stop();
    const dir = resolve(__dirname, '..', '..', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      resolve(dir, `access-${scale.name}.json`),
      `${JSON.stringify({ scale: scale.name, date: new Date().toISOString(), ...result }, null, 2)}\n`,
    );
    console.log(accessSection(result, scale.name).join('\n'));
  } finally {
    await env.cleanup();
  }
}

main().catch((error: Error) => {
  console.error(`access benchmark failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
