/**
 * A real three-master Redis Cluster on free ports, in its own temporary directory, for the tests,
 * the chaos suite and the bench (no Docker): `redis-server --cluster-enabled yes` per master, then
 * `redis-cli --cluster create … --cluster-replicas 0`. `destroy()` kills every server and removes
 * the directory. `shutdown(i)` / `restart(i)` take one master away (SHUTDOWN NOSAVE) and bring it
 * back with its nodes file (same id, same slots).
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { freePort } from '../../chaos/infra/ports';
import { waitFor } from '../../src/lib/wait';

export interface RedisClusterOptions {
  masters?: number;
  /** AOF with fsync on every write, so a master that goes away keeps what it acknowledged. */
  appendonly?: boolean;
  /** How long until the others mark a silent master as failed (ms). */
  nodeTimeoutMs?: number;
}

interface Master {
  port: number;
  busPort: number;
  dir: string;
  child?: ChildProcess;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Every server still running: killed when this process exits, so an interrupted run leaves none behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class RedisCluster {
  private constructor(
    readonly dir: string,
    readonly masters: Master[],
    private readonly options: Required<RedisClusterOptions>,
  ) {}

  /** `host:port,…` as REDIS_CLUSTER_NODES takes it. */
  get nodes(): string {
    return this.masters.map((m) => `127.0.0.1:${m.port}`).join(',');
  }

  /** Process ids of the servers currently running. */
  get pids(): number[] {
    return this.masters.flatMap((m) => (m.child && !exited(m.child) && m.child.pid ? [m.child.pid] : []));
  }

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const opts = { masters: 3, appendonly: false, nodeTimeoutMs: 2000, ...options };
    const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
    const masters: Master[] = [];
    for (let i = 0; i < opts.masters; i++) {
      const port = await freePort();
      const master = { port, busPort: await freePort(), dir: join(dir, String(port)) };
      mkdirSync(master.dir);
      masters.push(master);
    }
    const cluster = new RedisCluster(dir, masters, opts);
    try {
      for (let i = 0; i < masters.length; i++) await cluster.restart(i);
      await promisify(execFile)('redis-cli', [
        '--cluster',
        'create',
        ...masters.map((m) => `127.0.0.1:${m.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      await waitFor(() => cluster.healthy(), 20_000, 'cluster_state:ok on every master', 100);
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  /** A client for checks (not the service's own). */
  client(): Cluster {
    const client = new Cluster(
      this.masters.map((m) => ({ host: '127.0.0.1', port: m.port })),
      { redisOptions: { maxRetriesPerRequest: null } },
    );
    client.on('error', () => undefined);
    return client;
  }

  /** Runs one command on master `i` alone. */
  async onMaster<T>(i: number, run: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis(this.masters[i].port, '127.0.0.1', {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await run(redis);
    } finally {
      redis.disconnect();
    }
  }

  /** Keys held by each master (DBSIZE). */
  async keysPerMaster(): Promise<number[]> {
    return Promise.all(this.masters.map((_, i) => this.onMaster(i, (r) => r.dbsize())));
  }

  /** The slot ranges master `i` serves in its own slot table (CLUSTER SLOTS). */
  async slotRanges(i: number): Promise<Array<[number, number]>> {
    const table = await this.onMaster(i, (r) => r.cluster('SLOTS'));
    return table.filter(([, , master]) => master?.[1] === this.masters[i].port).map(([from, to]) => [from, to]);
  }

  /** True when every running master reports cluster_state:ok. */
  async healthy(): Promise<boolean> {
    try {
      const states = await Promise.all(
        this.masters.map((_, i) => this.onMaster(i, (r) => r.cluster('INFO') as Promise<string>)),
      );
      return states.every((s) => s.includes('cluster_state:ok'));
    } catch {
      return false;
    }
  }

  /** Master `i` goes away without saving (SHUTDOWN NOSAVE); resolves once its process ended. */
  async shutdown(i: number): Promise<void> {
    const child = this.masters[i].child;
    if (!child || exited(child)) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    await this.onMaster(i, (r) => r.call('SHUTDOWN', 'NOSAVE')).catch(() => undefined);
    await gone;
  }

  /** (Re)starts master `i` in its directory: its nodes file gives it back its id and slots. */
  async restart(i: number): Promise<void> {
    const m = this.masters[i];
    const args = [
      '--port',
      String(m.port),
      '--cluster-port',
      String(m.busPort),
      '--bind',
      '127.0.0.1',
      '--dir',
      m.dir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${m.port}.conf`,
      '--cluster-node-timeout',
      String(this.options.nodeTimeoutMs),
      '--save',
      '',
      '--appendonly',
      this.options.appendonly ? 'yes' : 'no',
      '--appendfsync',
      'always',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
      '--logfile',
      join(m.dir, 'redis.log'),
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    m.child = child;
    live.add(child);
    child.once('exit', () => live.delete(child));
    child.once('error', () => undefined);
    await waitFor(
      () =>
        this.onMaster(i, (r) => r.ping()).then(
          () => true,
          () => false,
        ),
      15_000,
      `redis-server on port ${m.port}`,
      50,
    );
  }

  /** Kills every server and removes the directory. */
  async destroy(): Promise<void> {
    await Promise.all(
      this.masters.map(async (m) => {
        const child = m.child;
        if (!child || exited(child)) return;
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await gone;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
