/**
 * A private PostgreSQL cluster for the chaos suite: `initdb` into a temp directory and a server on
 * its own port, run as the `postgres` user when we are root (PostgreSQL refuses to run as root).
 * `stop('immediate')` is a crash (connections cut, recovery on start); `start()` brings it back.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './ports';
import { waitFor } from '../../src/lib/wait';

const run = promisify(execFile);

export function postgresBinDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  for (const version of ['17', '16', '15', '14']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('chaos: PostgreSQL server binaries not found; set PG_BIN_DIR (e.g. /usr/lib/postgresql/15/bin)');
}

export class PrivatePostgres {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly bin: string,
  ) {}

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** The admin URL (database `postgres`, trust auth on 127.0.0.1). */
  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-pg-'));
    const pg = new PrivatePostgres(await freePort(), dir, postgresBinDir());
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await pg.pgTool('initdb', [
      '-D',
      pg.dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]);
    await pg.start();
    return pg;
  }

  async start(): Promise<void> {
    // fsync off: the box does not crash in this suite; a stopped *server* still loses nothing committed.
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_buffers=64MB`;
    await this.pgTool('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'postgres.log'),
      '-o',
      opts,
      '-w',
      '-t',
      '60',
      'start',
    ]);
    await waitFor(() => this.ping(), 30_000, `PostgreSQL on port ${this.port}`, 100);
  }

  /** `immediate` = crash-like (no checkpoint, clients cut off); `fast` = clean shutdown. */
  async stop(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    await this.pgTool('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']).catch(() => undefined);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async pgTool(tool: string, args: string[]): Promise<void> {
    const path = join(this.bin, tool);
    const root = process.getuid?.() === 0;
    await run(root ? 'runuser' : path, root ? ['-u', 'postgres', '--', path, ...args] : args, {
      cwd: this.dir,
      timeout: 120_000,
    });
  }

  private async ping(): Promise<boolean> {
    const client = new Client({ connectionString: this.adminUrl, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
