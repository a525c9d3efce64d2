/**
 * `npm run bench`: runs every benchmark with the built service as child processes and writes
 * bench/results/latest.json and BENCHMARKS.md (full scale). `BENCH_SCALE=tiny` (or --scale=tiny)
 * is a seconds-long smoke run that writes bench/results/tiny.json only.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runBench } from './bench';
import { processLauncher } from './launch';
import { markdown, Report } from './report';
import { pickScale } from './scale';

const root = resolve(__dirname, '..', '..');
const results = resolve(root, 'bench', 'results');

async function main(): Promise<void> {
  const scale = pickScale();
  console.log(`benchmark, scale ${scale.name}`);
  const report = await runBench({ scale, launcher: processLauncher, log: (line) => console.log(line) });
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
  for (const g of report.goals) console.log(`${g.met ? 'met   ' : 'MISSED'} ${g.name}: ${g.figure.toFixed(3)} (goal ${g.goal})`);
}

main().catch((error: Error) => {
  console.error(`benchmark failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
