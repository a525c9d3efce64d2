import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  anchor,
  HEADLINE_END,
  HEADLINE_START,
  headlineFiles,
  headlineOf,
  renderHeadline,
  withHeadline,
  writeHeadlines,
} from '../../bench/headline';
import { END_TO_END_HEADING, INGEST_HEADING, type Report } from '../../bench/report';

const root = resolve(__dirname, '..', '..');

const load = (rps: number, p99: number) => ({ requests: 1, seconds: 1, rps, p50: 1, p99, non2xx: 0, errors: 0 });

/** Only what the headline reads; the rest of a report does not matter to it. */
const fixture = {
  scale: 'full',
  date: '2026-12-03T14:03:40.930Z',
  machine: { cpus: 2 },
  ingest: { service: load(4262.97, 14), halfRate: { ...load(2126.7, 20), targetRps: 2131 }, ratio: 0.46238 },
  endToEnd: { eventsPerSec: 1747.02, ratio: 0.62981 },
  access: { service: load(16577.03, 7), halfRate: { ...load(8282.9, 5), targetRps: 8289 }, ratio: 0.52363 },
  usage: { client: { perSec: 82821.99 }, rawIncr: { perSec: 159473.86 } },
  usageMemory: { drain: { pairs: 1_000_000, workerPeakRssMb: 137 } },
} as unknown as Report;

test('the headline block: date, command, each figure with a link to its section', () => {
  expect(renderHeadline(fixture, '../BENCHMARKS.md')).toBe(
    [
      'Latest full benchmark run: **2026-12-03 14:03 UTC**, `npm run bench` (scale full) with',
      'the load generator, service, PostgreSQL and Redis on one shared 2-core machine; every ratio is against a',
      'ceiling measured in the same run. Generated from `bench/results/latest.json` (`npm run bench -- --render-only`',
      'writes it again): do not edit by hand.',
      '',
      '| figure | latest run |',
      '| --- | --- |',
      '| [webhook ingest](../BENCHMARKS.md#1-webhook-ingest-post-webhooksstripe) | 4,263 req/s, **0.462** of verify-only |',
      '| [webhook p99 at half peak](../BENCHMARKS.md#1-webhook-ingest-post-webhooksstripe) | 20 ms at 2,131 req/s |',
      '| [end to end](../BENCHMARKS.md#2-end-to-end-webhook--worker--postgresql) | 1,747 events/s, **0.630** of the ceiling |',
      '| [access API](../BENCHMARKS.md#6-access-api-get-v1customersidaccess) | 16,577 req/s, **0.524** of a bare route; p99 5 ms at half peak |',
      '| [usage client](../BENCHMARKS.md#3-usage) | 82,822 events/s, **0.519** of raw pipelined INCR |',
      '| [worker peak RSS, drain](../BENCHMARKS.md#drain-memory-and-event-ids) | 137 MB for 1,000,000 pairs |',
      '',
      'The goals, and which this run met: [Goals](../BENCHMARKS.md#goals).',
    ].join('\n'),
  );
});

test("anchors are GitHub's: punctuation and symbols dropped, each space a hyphen", () => {
  expect(anchor(INGEST_HEADING)).toBe('1-webhook-ingest-post-webhooksstripe');
  expect(anchor(END_TO_END_HEADING)).toBe('2-end-to-end-webhook--worker--postgresql');
  expect(anchor('### 3c. Usage query next to a busy shard')).toBe('3c-usage-query-next-to-a-busy-shard');
});

test('every block between the markers is replaced; a marker without its pair is an error', () => {
  const page = `# Page\n${HEADLINE_START}\nold\n${HEADLINE_END}\ntext\n${HEADLINE_START}${HEADLINE_END}\n`;
  expect(withHeadline(page, 'new')).toBe(
    `# Page\n${HEADLINE_START}\nnew\n${HEADLINE_END}\ntext\n${HEADLINE_START}\nnew\n${HEADLINE_END}\n`,
  );
  expect(withHeadline('no markers', 'new')).toBe('no markers');
  expect(() => withHeadline(`${HEADLINE_START}\nold`, 'new')).toThrow('unpaired');
  expect(() => withHeadline(`${HEADLINE_END}\n${HEADLINE_START}`, 'new')).toThrow('unpaired');
});

test('writeHeadlines rewrites the markdown files that hold the markers, links relative to each, and skips node_modules and dist', () => {
  const dir = mkdtempSync(join(tmpdir(), 'headline-'));
  const block = `${HEADLINE_START}\n${HEADLINE_END}\n`;
  const put = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  try {
    for (const path of ['README.md', 'docs/scaling.md', 'node_modules/x/README.md', 'dist/docs/a.md', '.git/a.md'])
      put(path, block);
    put('docs/other.md', 'no block');
    expect(writeHeadlines(dir, fixture)).toEqual([join(dir, 'README.md'), join(dir, 'docs/scaling.md')]);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('](BENCHMARKS.md#goals)');
    expect(readFileSync(join(dir, 'docs/scaling.md'), 'utf8')).toContain('](../BENCHMARKS.md#goals)');
    expect(readFileSync(join(dir, 'node_modules/x/README.md'), 'utf8')).toBe(block);
    expect(readFileSync(join(dir, 'dist/docs/a.md'), 'utf8')).toBe(block);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every headline block in the repository is what the latest run renders (npm run bench -- --render-only)', () => {
  const latest = JSON.parse(readFileSync(join(root, 'bench', 'results', 'latest.json'), 'utf8')) as Report;
  for (const path of headlineFiles(root))
    expect({ path, text: readFileSync(path, 'utf8') }).toEqual({ path, text: headlineOf(root, path, latest) });
});
