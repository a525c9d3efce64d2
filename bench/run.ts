/**
 * `npm run bench`: runs every benchmark with the built service as child processes and writes
 * bench/results/latest.json and BENCHMARKS.md (full scale). `BENCH_SCALE=tiny` (or --scale=tiny)
 * is a seconds-long smoke run that writes bench/results/tiny.json only. `--only=cluster` runs
 * section 5 alone (ingest and end to end on a local Redis Cluster beside the single Redis), writes
 * bench/results/cluster.json and, at full scale, rewrites that section of BENCHMARKS.md in place.
 * `--only=reconcile` runs section 7 alone (`npm run usage:reconcile` over a day of 10,000 pairs) the
 * same way (bench/results/reconcile.json); a full run keeps that section as the last one wrote it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runBench } from './bench';
import { benchCluster } from './cluster';
import { processLauncher } from './launch';
import { CLUSTER_HEADING, clusterSection } from './cluster-report';
import { markdown, Report } from './report';
import { benchReconcile, RECONCILE_HEADING, reconcileSection, type ReconcileBenchResult } from './reconcile';
import { pickScale } from './scale';

const root = resolve(__dirname, '..', '..');
const results = resolve(root, 'bench', 'results');

/**
 * Puts `section` (starting with `heading`) into BENCHMARKS.md: in place of the section with that
 * heading (it ends where the next one starts), else before "Before → after" or "Machine".
 */
function writeSection(heading: string, section: string): void {
  const path = resolve(root, 'BENCHMARKS.md');
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const found = text.indexOf(heading);
  const start =
    found >= 0
      ? found
      : [text.indexOf('## Before'), text.indexOf('## Machine')].filter((i) => i >= 0).sort((a, b) => a - b)[0];
  const end = found >= 0 ? text.indexOf('\n## ', found + heading.length) + 1 : start;
  writeFileSync(path, `${text.slice(0, start)}${section}\n${text.slice(end)}`);
}

function writeResult(name: string, scale: string, result: object): void {
  mkdirSync(results, { recursive: true });
  writeFileSync(
    resolve(results, name),
    `${JSON.stringify({ scale, date: new Date().toISOString(), ...result }, null, 2)}\n`,
  );
}

/** Section 5 alone; the rest of BENCHMARKS.md stays as the last full run wrote it. */
async function clusterOnly(scale: ReturnType<typeof pickScale>): Promise<void> {
  const result = await benchCluster(processLauncher, scale, (line) => console.log(line));
  writeResult('cluster.json', scale.name, result);
  const section = clusterSection(result, scale.name).join('\n');
  console.log(`\n${section}`);
  if (scale.name === 'full') writeSection(CLUSTER_HEADING, section);
}

/** Section 7 alone, likewise. */
async function reconcileOnly(scale: ReturnType<typeof pickScale>): Promise<void> {
  const result = await benchReconcile(scale.reconcilePairs, (line) => console.log(line));
  writeResult('reconcile.json', scale.name, result);
  const section = reconcileSection(result, scale.name).join('\n');
  console.log(`\n${section}`);
  if (scale.name === 'full') writeSection(RECONCILE_HEADING, section);
}

/** After a full run rewrote BENCHMARKS.md: section 7 as its own run last wrote it. */
function keepReconcileSection(): void {
  const path = resolve(results, 'reconcile.json');
  if (!existsSync(path)) return;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as ReconcileBenchResult & { scale: string };
  if (saved.scale === 'full') writeSection(RECONCILE_HEADING, reconcileSection(saved, saved.scale).join('\n'));
}

async function main(): Promise<void> {
  const scale = pickScale();
  console.log(`benchmark, scale ${scale.name}`);
  if (process.argv.includes('--only=cluster')) return clusterOnly(scale);
  if (process.argv.includes('--only=reconcile')) return reconcileOnly(scale);
  const report = await runBench({ scale, launcher: processLauncher, cluster: true, log: (line) => console.log(line) });
  mkdirSync(results, { recursive: true });
  const name = scale.name === 'full' ? 'latest.json' : 'tiny.json';
  writeFileSync(resolve(results, name), `${JSON.stringify(report, null, 2)}\n`);
  const beforePath = resolve(results, 'before.json');
  const before = existsSync(beforePath) ? (JSON.parse(readFileSync(beforePath, 'utf8')) as Report) : undefined;
  const notesPath = resolve(root, 'bench', 'notes.md');
  const notes = existsSync(notesPath) ? readFileSync(notesPath, 'utf8') : '';
  const text = markdown(report, before, notes);
  if (scale.name === 'full') {
    writeFileSync(resolve(root, 'BENCHMARKS.md'), text);
    keepReconcileSection();
  }
  console.log(`\n${text}`);
  for (const g of report.goals)
    console.log(`${g.met ? 'met   ' : 'MISSED'} ${g.name}: ${g.figure.toFixed(3)} (goal ${g.goal})`);
}

main().catch((error: Error) => {
  console.error(`benchmark failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
