/**
 * The sections of BENCHMARKS.md that run on their own (`npm run bench -- --only=<name>`): each writes
 * bench/results/<name>.json and, at full scale, rewrites its section of BENCHMARKS.md in place. A full
 * run rewrites the whole file, then puts each of these sections back as its own run last wrote it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
export const results = resolve(root, 'bench', 'results');
const doc = resolve(root, 'BENCHMARKS.md');

/**
 * Puts `section` (its first line is its heading) into BENCHMARKS.md: in place of the section with
 * that heading (it ends where the next heading of its level or above starts), else before the first
 * of `before` (headings) the file has.
 */
export function putSection(section: string[], before: readonly string[]): void {
  if (!existsSync(doc)) return;
  const text = readFileSync(doc, 'utf8');
  const heading = section[0];
  const found = text.indexOf(heading);
  const level = heading.slice(0, heading.indexOf(' ') + 1);
  const next = (from: number) => {
    const ends = ['\n## ', `\n${level}`].map((h) => text.indexOf(h, from)).filter((i) => i >= 0);
    return ends.length ? Math.min(...ends) + 1 : text.length;
  };
  const start =
    found >= 0
      ? found
      : before
          .map((h) => text.indexOf(h))
          .filter((i) => i >= 0)
          .sort((a, b) => a - b)[0];
  const end = found >= 0 ? next(found + heading.length) : start;
  writeFileSync(doc, `${text.slice(0, start)}${section.join('\n')}\n${text.slice(end)}`);
}

/** A section that runs on its own: its result file, how it renders, and where it goes when new. */
export interface StandaloneSection<R extends object> {
  name: string;
  render(result: R, scale: string): string[];
  before: readonly string[];
}

/** The section with the run it comes from under its heading: its own, not the full run's at the top. */
function dated<R extends object>(s: StandaloneSection<R>, saved: R & { scale: string; date: string }): string[] {
  const [heading, ...rest] = s.render(saved, saved.scale);
  return [heading, '', `Measured on its own by \`npm run bench -- --only=${s.name}\` on ${saved.date}.`, ...rest];
}

/** Writes the result and prints the section; at full scale also puts it into BENCHMARKS.md. */
export function writeSection<R extends object>(s: StandaloneSection<R>, scale: string, result: R): void {
  mkdirSync(results, { recursive: true });
  const saved = { scale, date: new Date().toISOString(), ...result };
  writeFileSync(resolve(results, `${s.name}.json`), `${JSON.stringify(saved, null, 2)}\n`);
  const section = dated(s, saved);
  console.log(`\n${section.join('\n')}`);
  if (scale === 'full') putSection(section, s.before);
}

/** After a full run rewrote BENCHMARKS.md: the section as its own full-scale run last wrote it. */
export function keepSection<R extends object>(s: StandaloneSection<R>): void {
  const path = resolve(results, `${s.name}.json`);
  if (!existsSync(path)) return;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as R & { scale: string; date: string };
  if (saved.scale === 'full') putSection(dated(s, saved), s.before);
}
