/**
 * The docs against the code, where a program can tell: every configuration variable documented with
 * its default, every npm script shown in README.md, every metric and every table named, every file
 * path and every link (anchors included) in the docs resolving, and the glossary's terms linked
 * where each page first uses them. A rename in the code that the docs miss fails here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config';
import { createMetrics } from '../../src/metrics';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const docsFiles = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
/** Every markdown page a reader is sent to: the root ones, docs/, the stand-in's README. */
const PAGES = [
  ...readdirSync(ROOT).filter((f) => f.endsWith('.md')),
  ...docsFiles.map((f) => `docs/${f}`),
  'stand-in/README.md',
];

/** The text outside fenced code blocks (commands and sample output are not prose). */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of prose(read(file)).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe('configuration (docs/configuration.md)', () => {
  const rows = read('docs/configuration.md')
    .split('\n')
    .filter((l) => l.startsWith('| `'));
  it.each(CONFIG_VARIABLES)('%s has a row with a default', (name) => {
    const row = rows.find((r) => r.split('|')[1].includes(`\`${name}\``));
    expect(row).toBeDefined();
    expect(row!.split('|')[2].trim()).not.toBe('');
  });
});

describe('npm scripts (README.md)', () => {
  const readme = read('README.md');
  const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
  it.each(scripts)('npm %s is shown', (name) => {
    const command = ['start', 'test'].includes(name) ? `npm ${name}` : `npm run ${name}`;
    expect(readme).toMatch(new RegExp(`${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w:-])`));
  });
});

describe('metrics (docs/operations.md)', () => {
  const names = createMetrics()
    .registry.getMetricsAsArray()
    .map((m) => m.name)
    // prom-client's default process metrics are documented as one family.
    .filter((n) => !n.startsWith('billing_process_') && !n.startsWith('billing_nodejs_'));
  const doc = read('docs/operations.md');
  it('has instruments to check', () => expect(names.length).toBeGreaterThan(20));
  it.each(names)('%s is described', (name) => expect(doc).toContain(`\`${name}\``));
});

describe('tables (docs/data-model.md)', () => {
  const tables = [
    ...new Set(
      readdirSync(join(ROOT, 'migrations'))
        .filter((f) => /^\d+-.+\.ts$/.test(f))
        .flatMap((f) => [...read(`migrations/${f}`).matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?/g)])
        .map((m) => m[1]),
    ),
  ];
  const doc = read('docs/data-model.md');
  it('finds the tables of the migrations', () => expect(tables).toContain('processed_events'));
  it.each(tables)('%s is listed', (table) => expect(doc).toMatch(new RegExp(`^\\| \`${table}\``, 'm')));
});

/** The names of the repository's own files (a page may name `keys.ts` in the folder it talks about). */
function namesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? namesUnder(join(dir, e.name)) : [e.name],
  );
}
const REPO_FILES = new Set([
  ...readdirSync(ROOT),
  ...['src', 'test', 'bench', 'chaos', 'demo', 'stand-in', 'migrations', 'docs'].flatMap(namesUnder),
]);

/** Repository paths the prose names in backticks: `src/…`, `test/…`, root files. */
const PATH =
  /^(?:src|test|docs|bench|chaos|demo|stand-in|migrations|\.ci)\/[\w./-]*$|^[\w.-]+\.(?:ts|md|json|yml|cjs|mjs)$/;
const placeholder = /[<>*…]|\.\.\./;

describe.each(PAGES)('%s', (page) => {
  const text = prose(read(page));
  const here = dirname(page);

  it('names only files that exist', () => {
    const quoted = [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]);
    // Paths written in plain prose too, when they name a file of a source folder.
    const bare = [...text.matchAll(/(?<![\w/.-])(?:src|test|bench|chaos|demo|stand-in)\/[\w./-]*\.(?:ts|md|json)\b/g)];
    const paths = [...quoted, ...bare.map((m) => m[0])]
      .map((p) => p.replace(/:\d+(-\d+)?$/, ''))
      .filter((p) => PATH.test(p) && !placeholder.test(p) && !p.startsWith('bench/results/'));
    const missing = paths.filter((p) =>
      p.includes('/') ? !existsSync(join(ROOT, p)) && !existsSync(join(ROOT, here, p)) : !REPO_FILES.has(p),
    );
    expect(missing).toEqual([]);
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split('#');
      const resolved = file ? relative(ROOT, join(ROOT, here, file)) : page;
      if (!existsSync(join(ROOT, resolved))) broken.push(target);
      else if (anchor && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(target);
    }
    expect(broken).toEqual([]);
  });
});

describe('glossary (docs/glossary.md)', () => {
  const glossary = read('docs/glossary.md');
  const terms = [...glossary.matchAll(/^### (.+)$/gm)].map((m) => m[1]);
  it('defines the terms the docs lean on', () => {
    for (const t of [
      'watermark',
      'same-second tie',
      'claim',
      'drain',
      'outbox',
      'hash tag',
      'slot',
      'pinned api version',
      'ceiling',
    ])
      expect(terms.map((x) => x.toLowerCase())).toContain(t);
  });
  const pages = PAGES.filter((p) => p !== 'docs/glossary.md' && (p === 'README.md' || p.startsWith('docs/')));
  const cases = pages.flatMap((page) => terms.map((term) => [page, term] as const));
  it.each(cases)('%s links "%s" to the glossary where it first uses it', (page, term) => {
    // Inline code and link targets are not prose; headings are not where a reader learns a term,
    // nor a generated block (bench/headline.ts).
    const text = prose(read(page))
      .replace(/<!-- bench:headline:start -->[\s\S]*?<!-- bench:headline:end -->/g, '')
      .replace(/^#.*$/gm, '')
      .replace(/`[^`]*`/g, '');
    const word = new RegExp(`\\b${term.replace(/[-\s]/g, '[-\\s]')}\\b`, 'i');
    const first = word.exec(text.replace(/\]\([^)]*\)/g, (m) => ' '.repeat(m.length)));
    if (!first) return;
    const link = /\[([^\]]*)\]\(([^)]*glossary\.md#[^)]*)\)/g;
    const covering = [...text.matchAll(link)].find(
      (m) => m.index! <= first.index && first.index < m.index! + m[0].length && m[2].endsWith(`#${slug(term)}`),
    );
    expect(covering).toBeDefined();
  });
});
