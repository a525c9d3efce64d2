/**
 * `npm run bench`: runs every benchmark with the built service as child processes and writes
 * bench/results/latest.json and BENCHMARKS.md (full scale). `BENCH_SCALE=tiny` (or --scale=tiny)
 * is a seconds-long smoke run that writes bench/results/tiny.json only. `--only=cluster` runs
 * section 5 alone (ingest and end to end on a local Redis Cluster beside the single Redis), writes
 * bench/results/cluster.json and, at full scale, rewrites that section of BENCHMARKS.md in place;
 * `--only=usage-query` does the same for section 3c (bench/results/usage-query.json).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runBench } from './bench';
import { benchCluster } from './cluster';
import { processLauncher } from './launch';
import { clusterSection } from './cluster-report';
import { BenchEnv } from './env';
import { benchUsageQuery } from './usage-query';
import { usageQuerySection } from './usage-query-report';
import { markdown, Report } from './report';
import { pickScale } from './scale';

const root = resolve(__dirname, '..', '..');
const results = resolve(root, 'bench', 'results');

/**
 * Writes one section's result to bench/results/<name>.json and prints it; at full scale it also
 * rewrites that section of BENCHMARKS.md in place (it ends where the next heading of its level or
 * above starts), or puts it before the first of `before` (headings) when the file lacks it.
 */
function writeSection(
  name: string,
  scale: string,
  result: object,
  section: string[],
  before: readonly string[] = ['## Before', '## Machine'],
): void {
  const heading = section[0];
  mkdirSync(results, { recursive: true });
  writeFileSync(
    resolve(results, `${name}.json`),
    `${JSON.stringify({ scale, date: new Date().toISOString(), ...result }, null, 2)}\n`,
  );
  const text = section.join('\n');
  console.log(`\n${text}`);
  const path = resolve(root, 'BENCHMARKS.md');
  if (scale !== 'full' || !existsSync(path)) return;
  const doc = readFileSync(path, 'utf8');
  const found = doc.indexOf(heading);
  const level = heading.slice(0, heading.indexOf(' ') + 1);
  const next = (from: number) => {
    const ends = ['\n## ', `\n${level}`].map((h) => doc.indexOf(h, from)).filter((i) => i >= 0);
    return ends.length ? Math.min(...ends) + 1 : doc.length;
  };
  const start =
    found >= 0
      ? found
      : before
          .map((h) => doc.indexOf(h))
          .filter((i) => i >= 0)
          .sort((a, b) => a - b)[0];
  const end = found >= 0 ? next(found + heading.length) : start;
  writeFileSync(path, `${doc.slice(0, start)}${text}\n${doc.slice(end)}`);
}

/** Section 5 alone; the rest of BENCHMARKS.md stays as the last full run wrote it. */
async function clusterOnly(scale: ReturnType<typeof pickScale>): Promise<void> {
  const result = await benchCluster(processLauncher, scale, (line) => console.log(line));
  writeSection('cluster', scale.name, result, clusterSection(result, scale.name));
}

/** Section 3c alone (the usage query next to a busy shard); it needs no service process. */
async function usageQueryOnly(scale: ReturnType<typeof pickScale>): Promise<void> {
  const env = await BenchEnv.create();
  try {
    const result = await benchUsageQuery(env, scale);
    writeSection('usage-query', scale.name, result, usageQuerySection(result, scale.name), [
      '## 4. Memory',
      '## Machine',
    ]);
  } finally {
    await env.cleanup();
  }
}

async function main(): Promise<void> {
  const scale = pickScale();
  console.log(`benchmark, scale ${scale.name}`);
  if (process.argv.includes('--only=cluster')) return clusterOnly(scale);
  if (process.argv.includes('--only=usage-query')) return usageQueryOnly(scale);
  const report = await runBench({ scale, launcher: processLauncher, cluster: true, log: (line) => console.log(line) });
  mkdirSync(results, { recursive: true });
  const name = scale.name === 'full' ? 'latest.json' : 'tiny.json';
  writeFileSync(resolve(results, name), `${JSON.stringify(report, null, 2)}\n`);
  const beforePath = resolve(results, 'before.json');
  const before = existsSync(beforePath) ? (JSON.parse(readFileSync(beforePath, 'utf8')) as Report) : undefined;
  const notesPath = resolve(root, 'bench', 'notes.md');
  const notes = existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : '';
  const text = markdown(report, before, notes);
  if (scale.name === 'full') writeFileSync(resolve(root, 'BENCHMARKS.md'), text);
  console.log(`\n${text}`);
  for (const g of report.goals)
    console.log(`${g.met ? 'met   ' : 'MISSED'} ${g.name}: ${g.figure.toFixed(3)} (goal ${g.goal})`);
}

main().catch((error: Error) => {
  console.error(`benchmark failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
