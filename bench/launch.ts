/**
 * Starting what the benchmark measures. `processLauncher` runs the built service roles and the
 * verify-only baseline as child processes (`npm run bench`); `inProcessLauncher` runs the same
 * code inside the caller (the tiny run under jest, where dist/ may not be built).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startService } from '../src/service';
import { freePort } from '../chaos/infra/ports';
import { BENCH_API_KEY, BENCH_STRIPE_KEY, BENCH_WEBHOOK_SECRET, BenchEnv } from './env';
import { withEventQueues } from './queues';
import { listenAccessCeiling, readAnswers } from './access-ceiling';
import { listenVerifyOnly } from './verify-only';

export interface RoleOptions {
  role: 'api' | 'worker';
  prefix: string;
  /** Extra environment (WORKER_CONCURRENCY, USAGE_FLUSH_INTERVAL_MS …). */
  env?: Record<string, string>;
}

export interface Running {
  pid: number;
  /** Base URL of an HTTP role. */
  url?: string;
  /** Peak resident set size so far (VmHWM), in KiB. */
  peakRssKb(): number | undefined;
  stop(): Promise<void>;
}

export interface Launcher {
  kind: 'processes' | 'in-process';
  service(env: BenchEnv, opts: RoleOptions): Promise<Running>;
  verifyOnly(env: BenchEnv): Promise<Running>;
  /** The access benchmark's ceiling, answering from `answersPath` (bench/access-ceiling.ts). */
  accessCeiling(env: BenchEnv, answersPath: string): Promise<Running>;
}

export function peakRssKb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function serviceEnv(env: BenchEnv, opts: RoleOptions, port: number): Record<string, string> {
  return {
    ROLE: opts.role,
    PORT: String(port),
    DATABASE_URL: env.dbUrl,
    REDIS_URL: env.redisUrl,
    KEY_PREFIX: opts.prefix,
    STRIPE_API_URL: env.standIn.url,
    STRIPE_SECRET_KEY: BENCH_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
    API_KEYS: BENCH_API_KEY,
    LOG_LEVEL: 'warn',
    EVENT_QUEUE_PARTITIONS: String(env.partitions),
    ...(env.clusterNodes ? { REDIS_CLUSTER_NODES: env.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',') } : {}),
    ...opts.env,
  };
}

async function poll(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  failed: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = failed();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

const httpReady = (url: string) => async () => (await fetch(`${url}/healthz`)).ok;

/** True once a BullMQ worker is connected to every Stripe event partition under `prefix`. */
async function workerConnected(env: BenchEnv, prefix: string): Promise<boolean> {
  const counts = await withEventQueues(env, prefix, (queues) =>
    Promise.all(queues.partitions.map((q) => q.getWorkersCount())),
  );
  return counts.every((n) => n > 0);
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Extra node flags for one role, e.g. BENCH_NODE_FLAGS_API="--cpu-prof --cpu-prof-dir=/tmp/bench-profiles". */
function nodeFlags(name: string): string[] {
  return (process.env[`BENCH_NODE_FLAGS_${name.toUpperCase().replace(/-/g, '_')}`] ?? '').split(/\s+/).filter(Boolean);
}

function spawnChild(
  env: BenchEnv,
  name: string,
  script: string,
  childEnv: Record<string, string>,
): { child: ChildProcess; tail: string[]; stop: () => Promise<void> } {
  const child = spawn(process.execPath, [...nodeFlags(name), script], {
    env: { ...process.env, ...childEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(child);
  };
  env.onCleanup(`${name} (pid ${child.pid})`, stop);
  return { child, tail, stop };
}

const exitReason = (child: ChildProcess, tail: string[]) => () =>
  child.exitCode !== null || child.signalCode !== null
    ? `exited (${child.exitCode ?? child.signalCode}):\n${tail.join('\n')}`
    : undefined;

export const processLauncher: Launcher = {
  kind: 'processes',
  async service(env, opts) {
    const port = await freePort();
    const name = opts.role;
    const { child, tail, stop } = spawnChild(
      env,
      name,
      resolve(__dirname, '../src/main.js'),
      serviceEnv(env, opts, port),
    );
    const url = `http://127.0.0.1:${port}`;
    const ready = opts.role === 'api' ? httpReady(url) : () => workerConnected(env, opts.prefix);
    await poll(`${name} role`, 30_000, ready, exitReason(child, tail));
    return {
      pid: child.pid!,
      url: opts.role === 'api' ? url : undefined,
      peakRssKb: () => peakRssKb(child.pid!),
      stop,
    };
  },
  async verifyOnly(env) {
    const port = await freePort();
    const script = resolve(__dirname, 'verify-only-main.js');
    const { child, tail, stop } = spawnChild(env, 'verify-only', script, {
      PORT: String(port),
      STRIPE_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
    });
    const url = `http://127.0.0.1:${port}`;
    await poll(
      'verify-only baseline',
      15_000,
      async () => (await fetch(`${url}/`)).status === 404,
      exitReason(child, tail),
    );
    return { pid: child.pid!, url, peakRssKb: () => peakRssKb(child.pid!), stop };
  },
  async accessCeiling(env, answersPath) {
    const port = await freePort();
    const script = resolve(__dirname, 'access-ceiling-main.js');
    const { child, tail, stop } = spawnChild(env, 'access-ceiling', script, {
      PORT: String(port),
      ACCESS_ANSWERS: answersPath,
    });
    const url = `http://127.0.0.1:${port}`;
    await poll('access ceiling', 15_000, async () => (await fetch(`${url}/`)).status === 404, exitReason(child, tail));
    return { pid: child.pid!, url, peakRssKb: () => peakRssKb(child.pid!), stop };
  },
};

export const inProcessLauncher: Launcher = {
  kind: 'in-process',
  async service(env, opts) {
    const config = loadConfig(serviceEnv(env, opts, 0));
    const service = await startService(config, createLogger('silent'));
    const stop = () => service.stop();
    env.onCleanup(`in-process ${opts.role}`, stop);
    const url = service.port === undefined ? undefined : `http://127.0.0.1:${service.port}`;
    return {
      pid: process.pid,
      url,
      peakRssKb: () => peakRssKb(process.pid),
      stop: async () => {
        env.forget(stop);
        await stop();
      },
    };
  },
  async verifyOnly(env) {
    const server = await listenVerifyOnly(BENCH_WEBHOOK_SECRET, 0);
    const stop = () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    env.onCleanup('in-process verify-only', stop);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return {
      pid: process.pid,
      url,
      peakRssKb: () => peakRssKb(process.pid),
      stop: async () => {
        env.forget(stop);
        await stop();
      },
    };
  },
  async accessCeiling(env, answersPath) {
    const server = await listenAccessCeiling(readAnswers(answersPath), 0);
    const stop = () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    env.onCleanup('in-process access ceiling', stop);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return {
      pid: process.pid,
      url,
      peakRssKb: () => peakRssKb(process.pid),
      stop: async () => {
        env.forget(stop);
        await stop();
      },
    };
  },
};
