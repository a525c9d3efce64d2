/**
 * Runs one of the operator commands (`src/cli/<name>.ts`) as a user does: a child process from the
 * TypeScript sources through the require hook (no build), with `env` as its whole environment.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface CliRun {
  code: number | null;
  /** stdout and stderr together, as a terminal shows them. */
  output: string;
  lines: string[];
}

export function runCli(name: string, env: Record<string, string | undefined>, args: string[] = []): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, `src/cli/${name}.ts`), ...args],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code, output, lines: output.trim().split('\n') })),
  );
}

/** The lines of a run that start with `start`. */
export const linesStarting = (run: CliRun, start: string): string[] => run.lines.filter((l) => l.startsWith(start));
