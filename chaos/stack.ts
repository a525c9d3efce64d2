/**
 * One scenario's system under test: a fresh database and Redis key prefix, the Stripe stand-in
 * (in this process, holding the truth), one api process and N worker processes.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Client, Pool } from 'pg';
import { StripeStandIn } from '../stand-in/index';
import { freePort, until } from './infra/ports';
import { Entry, ServiceProcess } from './infra/processes';
import type { PrivatePostgres } from './infra/private-postgres';
import type { PrivateRedis } from './infra/private-redis';

export const CHAOS_WEBHOOK_SECRET = 'whsec_chaos_primary';
export const CHAOS_API_KEY = 'chaos-api-key-0123456789';
export const CHAOS_ADMIN = { user: 'chaos-admin', password: 'chaos-admin-password' };

/** Where the servers are; `postgres` / `redis` are set only when the suite may stop them. */
export interface Servers {
  postgresAdminUrl: string;
  redisUrl: string;
  postgres?: PrivatePostgres;
  redis?: PrivateRedis;
}

export interface StackOptions {
  name: string;
  entry: Entry;
  servers: Servers;
  logDir: string;
  workers?: number;
  env?: Record<string, string>;
}

export class Stack {
  api!: ServiceProcess;
  workers: ServiceProcess[] = [];
  /** Verification reads only; the service has its own connections. */
  db!: Pool;
  redis!: Redis;
  apiUrl = '';
  private restarts = 0;
  private readonly queues = new Map<string, Queue>();
  private readonly started: ServiceProcess[] = [];

  private constructor(
    readonly opts: StackOptions,
    readonly standIn: StripeStandIn,
    readonly dbName: string,
    readonly prefix: string,
  ) {}

  get dbUrl(): string {
    const url = new URL(this.opts.servers.postgresAdminUrl);
    url.pathname = `/${this.dbName}`;
    return url.toString();
  }

  static async start(opts: StackOptions): Promise<Stack> {
    const id = randomBytes(4).toString('hex');
    mkdirSync(opts.logDir, { recursive: true });
    const stack = new Stack(opts, await StripeStandIn.start(), `chaos_${opts.name}_${id}`, `chaos-${opts.name}-${id}`);
    const port = await freePort();
    stack.apiUrl = `http://127.0.0.1:${port}`;
    stack.api = await stack.spawn('api', { PORT: String(port) });
    for (let i = 0; i < (opts.workers ?? 2); i++) stack.workers.push(await stack.spawn(`worker${i}`));
    stack.db = new Pool({ connectionString: stack.dbUrl, max: 4 });
    stack.db.on('error', () => undefined);
    stack.redis = new Redis(opts.servers.redisUrl, { maxRetriesPerRequest: null });
    stack.redis.on('error', () => undefined);
    return stack;
  }

  env(role: string): Record<string, string> {
    return {
      ROLE: role,
      DATABASE_URL: this.dbUrl,
      REDIS_URL: this.opts.servers.redisUrl,
      KEY_PREFIX: this.prefix,
      STRIPE_SECRET_KEY: 'sk_test_chaos',
      STRIPE_WEBHOOK_SECRET: CHAOS_WEBHOOK_SECRET,
      STRIPE_API_URL: this.standIn.url,
      API_KEYS: CHAOS_API_KEY,
      ADMIN_USER: CHAOS_ADMIN.user,
      ADMIN_PASSWORD: CHAOS_ADMIN.password,
      // The worker logs each job's outcome at debug level: that is how "applied twice" is counted.
      LOG_LEVEL: role === 'worker' ? 'debug' : 'info',
      // Inside npm test these processes share PostgreSQL with other test files: stay well below
      // max_connections (jobs wait for a free connection; nothing is lost).
      DATABASE_POOL_SIZE: '10',
      SHUTDOWN_TIMEOUT_MS: '10000',
      ...this.opts.env,
    };
  }

  /** Starts one more process of `role` (named for its log file). */
  async spawn(name: string, extra: Record<string, string> = {}): Promise<ServiceProcess> {
    const role = name.replace(/\d+$/, '');
    const file = join(this.opts.logDir, `${this.opts.name}-${name}-${this.restarts++}.log`);
    const proc = await ServiceProcess.start(name, this.opts.entry, { ...this.env(role), ...extra }, file);
    this.started.push(proc);
    return proc;
  }

  /** SIGKILLs worker `i` and starts a replacement in its place. */
  async crashWorker(i: number, restart = true): Promise<void> {
    await this.workers[i].kill('SIGKILL');
    if (restart) this.workers[i] = await this.spawn(`worker${i}`);
  }

  /** Log files of every process of `role` started so far (killed ones included). */
  allLogFiles(role: string): string[] {
    return this.started.filter((p) => p.name.startsWith(role)).map((p) => p.logFile);
  }

  /** The processes currently in the stack. */
  get processes(): ServiceProcess[] {
    return [this.api, ...this.workers];
  }

  /** A BullMQ handle on one of the service's queues (for counts and job states). */
  queue(name = 'stripe-events'): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.redis, prefix: this.prefix });
      this.queues.set(name, q);
    }
    return q;
  }

  /** Waits until the queue has nothing waiting, delayed or active. */
  async settle(timeoutMs: number, queue = 'stripe-events'): Promise<void> {
    await until(async () => {
      const counts = await this.queue(queue).getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
      return Object.values(counts).every((n) => n === 0);
    }, timeoutMs, `queue ${queue} to drain`, 250);
  }

  /** Job counts of a queue, e.g. `{ completed, failed }`. */
  async jobCounts(queue = 'stripe-events'): Promise<Record<string, number>> {
    return this.queue(queue).getJobCounts('completed', 'failed', 'wait', 'active', 'delayed');
  }

  /** Which of `ids` have a job stored in Redis (any state). */
  async storedJobs(ids: string[], queue = 'stripe-events'): Promise<Set<string>> {
    const stored = new Set<string>();
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const pipeline = this.redis.pipeline();
      for (const id of chunk) pipeline.exists(`${this.prefix}:${queue}:${id}`);
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([, n], j) => n === 1 && stored.add(chunk[j]));
    }
    return stored;
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await this.db.query(sql, params);
    return Number(Object.values(rows[0] as object)[0]);
  }

  async stop(): Promise<void> {
    for (const p of this.processes) await p.kill('SIGTERM').catch(() => undefined);
    for (const q of this.queues.values()) await q.close().catch(() => undefined);
    await this.db?.end().catch(() => undefined);
    await this.standIn.close();
    if (!this.opts.servers.redis) await deleteKeys(this.redis, this.prefix).catch(() => undefined);
    this.redis?.disconnect();
    const admin = new Client({ connectionString: this.opts.servers.postgresAdminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`).finally(() => admin.end());
  }
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const stream = redis.scanStream({ match: `${prefix}:*`, count: 1000 });
  for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await redis.unlink(...keys);
}
