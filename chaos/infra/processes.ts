/**
 * The service roles as real child processes (`ROLE=api` / `ROLE=worker`), so the suite can SIGKILL
 * them. `npm run chaos` runs the built `dist/src/main.js`; the jest test runs `src/main.ts` through
 * test/support/ts-register.js (cached, transpile-only require hook), so a fresh clone needs no build first.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';

export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`chaos: no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/** Node arguments that start the service: the built entry, or the sources via the require hook. */
export type Entry = string[];
export const distEntry = (): Entry => [join(projectRoot(), 'dist', 'src', 'main.js')];
export const sourceEntry = (): Entry => [
  '-r',
  join(projectRoot(), 'test', 'support', 'ts-register.js'),
  join(projectRoot(), 'src', 'main.ts'),
];

/** Every child still running, so an interrupted run can take them down (`killAllServiceProcesses`). */
const live = new Set<ChildProcess>();

/** SIGKILLs every service process this run started that is still running (synchronous). */
export function killAllServiceProcesses(): void {
  for (const child of live) child.kill('SIGKILL');
}

export class ServiceProcess {
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  /** Set when the process ended without the suite asking it to. */
  crashed = false;
  private expectingExit = false;

  private constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    child.once('exit', (code, signal) => {
      this.exit = { code, signal };
      if (!this.expectingExit) this.crashed = true;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === null;
  }

  /** Spawns the role and resolves once it logged "service started" (rejects if it exits first). */
  static async start(
    name: string,
    entry: Entry,
    env: Record<string, string>,
    logFile: string,
    readyTimeoutMs = 60_000,
  ): Promise<ServiceProcess> {
    const child = spawn(process.execPath, entry, {
      cwd: projectRoot(),
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    child.once('exit', () => setTimeout(() => log.end(), 50));
    live.add(child);
    child.once('exit', () => live.delete(child));
    const proc = new ServiceProcess(name, logFile, child);
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(
        () => reject(new Error(`chaos: ${name} not ready after ${readyTimeoutMs} ms (see ${logFile})`)),
        readyTimeoutMs,
      );
      const onData = (chunk: Buffer) => {
        // Check before trimming: a restarted worker logs a burst of job lines in the same chunk
        // as "service started", and trimming first could cut the very line we look for.
        const text = seen + chunk.toString('utf8');
        if (text.includes('"msg":"service started"')) done(null);
        seen = text.slice(-4096);
      };
      const onExit = () =>
        done(new Error(`chaos: ${name} exited during start-up (see ${logFile}): ${seen.slice(-800)}`));
      const done = (error: Error | null) => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
    });
    return proc;
  }

  /** Sends `signal` and waits for the process to end (SIGKILL after `graceMs`). */
  async kill(signal: NodeJS.Signals = 'SIGKILL', graceMs = 20_000): Promise<void> {
    this.expectingExit = true;
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
