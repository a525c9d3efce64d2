/**
 * A private redis-server for the chaos suite: its own port and data directory, AOF on and
 * `noeviction` as in production. `stop()` is a clean shutdown (the AOF is flushed, as when an
 * operator or orchestrator stops Redis); `start()` brings it back with its data.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports';
import { waitFor } from '../../src/lib/wait';

export class PrivateRedis {
  private child?: ChildProcess;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'chaos-redis-')));
    await redis.start();
    return redis;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
      '--daemonize',
      'no',
      '--logfile',
      join(this.dir, 'redis.log'),
    ];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child.once('error', () => undefined);
    await waitFor(() => this.ping(), 15_000, `redis-server on port ${this.port}`, 50);
  }

  /** Clean shutdown (SIGTERM: Redis flushes the AOF and exits); resolves once the process is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }

  /** Crash (SIGKILL, nothing flushed); `start()` brings it back from what reached the AOF. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing answers, the case that hangs clients. */
  freeze(): void {
    if (this.running) this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    if (this.running) this.child?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async ping(): Promise<boolean> {
    const probe = new Redis(this.url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      disconnectTimeout: 50,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }
}
