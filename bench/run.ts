/**
 * `npm run bench`: runs every benchmark with the built service as child processes and writes
 * bench/results/latest.json and BENCHMARKS.md (full scale). `BENCH_SCALE=tiny` (or --scale=tiny)
 * is a seconds-long smoke run that writes bench/results/tiny.json only. Three sections run on their
 * own (bench/sections.ts), each writing bench/results/<name>.json and, at full scale, its section of
 * BENCHMARKS.md in place: `--only=cluster` (section 5: ingest and end to end on a local Redis Cluster
 * beside the single Redis), `--only=usage-query` (section 3c: the usage query next to a busy shard)
 * and `--only=reconcile` (section 7: `npm run usage:reconcile` over a day of 10,000 pairs). A full
 * run keeps sections 3c and 7 as their own runs last wrote them, then rewrites the headline block of
 * every markdown file that has one (bench/headline.ts). `--render-only` measures nothing: it writes
 * BENCHMARKS.md and the headline blocks again from bench/results/*.json and bench/notes.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runBench } from './bench';
import { benchCluster, type ClusterResult } from './cluster';
import { clusterSection } from './cluster-report';
import { BenchEnv } from './env';
import { writeHeadlines } from './headline';
import { processLauncher } from './launch';
import { benchReconcile, reconcileSection, type ReconcileBenchResult } from './reconcile';
import { markdown, Report } from './report';
import { pickScale } from './scale';
import { keepSection, results, StandaloneSection, writeSection } from './sections';
import { benchUsageQuery, type UsageQueryResult } from './usage-query';
import { usageQuerySection } from './usage-query-report';

const root = resolve(__dirname, '..', '..');

const CLUSTER: StandaloneSection<ClusterResult> = {
  name: 'cluster',
  render: clusterSection,
  before: ['## Before', '## Machine'],
};
const USAGE_QUERY: StandaloneSection<UsageQueryResult> = {
  name: 'usage-query',
  render: usageQuerySection,
  before: ['## 4. Memory', '## Machine'],
};
const RECONCILE: StandaloneSection<ReconcileBenchResult> = {
  name: 'reconcile',
  render: reconcileSection,
  before: ['## Before', '## Machine'],
};

type Scale = ReturnType<typeof pickScale>;

/** Section 3c alone (the usage query next to a busy shard); it needs no service process. */
async function usageQuery(scale: Scale): Promise<UsageQueryResult> {
  const env = await BenchEnv.create();
  try {
    return await benchUsageQuery(env, scale);
  } finally {
    await env.cleanup();
  }
}

const ONLY: Record<string, (scale: Scale) => Promise<void>> = {
  cluster: async (scale) =>
    writeSection(CLUSTER, scale.name, await benchCluster(processLauncher, scale, (line) => console.log(line))),
  'usage-query': async (scale) => writeSection(USAGE_QUERY, scale.name, await usageQuery(scale)),
  reconcile: async (scale) =>
    writeSection(RECONCILE, scale.name, await benchReconcile(scale.reconcilePairs, (line) => console.log(line))),
};

const readReport = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Report;

/** The report with the before → after table (bench/results/before.json) and the notes (bench/notes.md). */
function render(report: Report): string {
  const beforePath = resolve(results, 'before.json');
  const before = existsSync(beforePath) ? readReport(beforePath) : undefined;
  const notesPath = resolve(root, 'bench', 'notes.md');
  const notes = existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : '';
  return markdown(report, before, notes);
}

/** BENCHMARKS.md from a full run's report, the standalone sections kept, then every headline block. */
function publish(report: Report): string {
  const text = render(report);
  writeFileSync(resolve(root, 'BENCHMARKS.md'), text);
  keepSection(USAGE_QUERY);
  keepSection(RECONCILE);
  for (const file of writeHeadlines(root, report)) console.log(`headline figures rewritten in ${file}`);
  return text;
}

async function main(): Promise<void> {
  if (process.argv.includes('--render-only')) {
    publish(readReport(resolve(results, 'latest.json')));
    return console.log('BENCHMARKS.md rendered from bench/results/latest.json');
  }
  const scale = pickScale();
  console.log(`benchmark, scale ${scale.name}`);
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (only !== undefined) {
    if (!ONLY[only]) throw new Error(`--only=${only}: not one of ${Object.keys(ONLY).join(', ')}`);
    return ONLY[only](scale);
  }
  const report = await runBench({ scale, launcher: processLauncher, cluster: true, log: (line) => console.log(line) });
  mkdirSync(results, { recursive: true });
  const name = scale.name === 'full' ? 'latest.json' : 'tiny.json';
  writeFileSync(resolve(results, name), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${scale.name === 'full' ? publish(report) : render(report)}`);
  for (const g of report.goals)
    console.log(`${g.met ? 'met   ' : 'MISSED'} ${g.name}: ${g.figure.toFixed(3)} (goal ${g.goal})`);
}

main().catch((error: Error) => {
  console.error(`benchmark failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
