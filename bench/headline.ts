/**
 * The headline figures other pages quote: a short block rendered from the latest full run
 * (bench/results/latest.json), with its date, the command and a link to the BENCHMARKS.md section of
 * each figure. Any markdown file of the repository may hold it between HEADLINE_START and
 * HEADLINE_END; `npm run bench` (full scale) and `npm run bench -- --render-only` rewrite every such
 * block, and test/bench/headline.test.ts fails on a copy that differs from what the latest run renders.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ACCESS_HEADING } from './access-report';
import { f } from './format';
import { END_TO_END_HEADING, GOALS_HEADING, INGEST_HEADING, type Report, USAGE_HEADING } from './report';
import { DRAIN_MEMORY_HEADING } from './usage-report';

export const HEADLINE_START = '<!-- bench:headline:start -->';
export const HEADLINE_END = '<!-- bench:headline:end -->';

/** GitHub's anchor of a markdown heading: lower case, punctuation and symbols dropped, each space a hyphen. */
export const anchor = (heading: string): string =>
  heading
    .replace(/^#+ /, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

/** The block (without its markers) for `r`; `benchmarks` is the link to BENCHMARKS.md from the page holding it. */
export function renderHeadline(r: Report, benchmarks = 'BENCHMARKS.md'): string {
  const link = (text: string, heading: string) => `[${text}](${benchmarks}#${anchor(heading)})`;
  const e = r.endToEnd;
  const drain = r.usageMemory?.drain;
  return [
    `Latest full benchmark run: **${r.date.slice(0, 10)} ${r.date.slice(11, 16)} UTC**, \`npm run bench\` (scale ${r.scale}) with`,
    `the load generator, service, PostgreSQL and Redis on one shared ${r.machine.cpus}-core machine; every ratio is against a`,
    'ceiling measured in the same run. Generated from `bench/results/latest.json` (`npm run bench -- --render-only`',
    'writes it again): do not edit by hand.',
    '',
    '| figure | latest run |',
    '| --- | --- |',
    `| ${link('webhook ingest', INGEST_HEADING)} | ${f(r.ingest.service.rps)} req/s, **${f(r.ingest.ratio, 3)}** of verify-only |`,
    `| ${link('webhook p99 at half peak', INGEST_HEADING)} | ${f(r.ingest.halfRate.p99)} ms at ${f(r.ingest.halfRate.targetRps)} req/s |`,
    `| ${link('end to end', END_TO_END_HEADING)} | ${f(e.eventsPerSec)} events/s, **${f(e.ratio, 3)}** of the ceiling |`,
    `| ${link('access API', ACCESS_HEADING)} | ${f(r.access.service.rps)} req/s, **${f(r.access.ratio, 3)}** of a bare route; p99 ${f(r.access.halfRate.p99)} ms at half peak |`,
    `| ${link('usage client', USAGE_HEADING)} | ${f(r.usage.client.perSec)} events/s, **${f(r.usage.client.perSec / r.usage.rawIncr.perSec, 3)}** of raw pipelined INCR |`,
    ...(drain
      ? [
          `| ${link('worker peak RSS, drain', DRAIN_MEMORY_HEADING)} | ${f(drain.workerPeakRssMb)} MB for ${f(drain.pairs)} pairs |`,
        ]
      : []),
    '',
    `The goals, and which this run met: ${link('Goals', GOALS_HEADING)}.`,
  ].join('\n');
}

const BLOCKS = new RegExp(`${HEADLINE_START}[\\s\\S]*?${HEADLINE_END}`, 'g');

/** `text` with every block between the markers replaced by `block`; throws on a marker without its pair. */
export function withHeadline(text: string, block: string): string {
  const starts = text.split(HEADLINE_START).length - 1;
  const ends = text.split(HEADLINE_END).length - 1;
  const pairs = text.match(BLOCKS)?.length ?? 0;
  if (starts !== pairs || ends !== pairs) throw new Error(`unpaired ${HEADLINE_START} / ${HEADLINE_END}`);
  return text.replace(BLOCKS, `${HEADLINE_START}\n${block}\n${HEADLINE_END}`);
}

const SKIPPED = new Set(['node_modules', 'dist', 'coverage']);

/** Every markdown file under `root` holding HEADLINE_START (node_modules, dist, coverage and dot-folders skipped). */
export function headlineFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !SKIPPED.has(entry.name) && !entry.name.startsWith('.')) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md') && readFileSync(path, 'utf8').includes(HEADLINE_START))
        found.push(path);
    }
  };
  walk(root);
  return found.sort();
}

/** The file `path` (under `root`) with its blocks rendered from `r`, links relative to the file. */
export function headlineOf(root: string, path: string, r: Report): string {
  const benchmarks = relative(dirname(path), join(root, 'BENCHMARKS.md')).split(sep).join('/');
  return withHeadline(readFileSync(path, 'utf8'), renderHeadline(r, benchmarks));
}

/** Rewrites the headline block of every markdown file that has one; returns the files rewritten. */
export function writeHeadlines(root: string, r: Report): string[] {
  const files = headlineFiles(root);
  for (const path of files) writeFileSync(path, headlineOf(root, path, r));
  return files;
}
