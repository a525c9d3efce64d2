/**
 * One scenario's system under test: a fresh database and Redis key prefix, the Stripe stand-in
 * (in this process, holding the truth), one or more api processes and N worker processes, on one
 * Redis or on a Redis Cluster (`servers.cluster`).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { JobType, Queue } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { Client, Pool } from 'pg';
import { StripeStandIn } from '../stand-in/index';
import { stripeEventQueueNames } from '../src/queues/partitions';
import type { RedisCluster } from '../test/support/redis-cluster';
import { freePort } from './infra/ports';
import { waitFor } from '../src/lib/wait';
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
  /** When set, the service runs on this Redis Cluster (REDIS_CLUSTER_NODES) instead of redisUrl. */
  cluster?: RedisCluster;
}

export interface StackOptions {
  name: string;
  entry: Entry;
  servers: Servers;
  logDir: string;
  workers?: number;
  /** api processes (default 1); `apiUrls` lists them, `apiUrl` is the first. */
  apis?: number;
  env?: Record<string, string>;
}

export class Stack {
  apis: ServiceProcess[] = [];
  workers: ServiceProcess[] = [];
  /** Verification reads only; the service has its own connections. */
  db!: Pool;
  redis!: Redis | Cluster;
  apiUrls: string[] = [];
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
    const ports = await Promise.all(Array.from({ length: opts.apis ?? 1 }, () => freePort()));
    stack.apiUrls = ports.map((port) => `http://127.0.0.1:${port}`);
    // One process first (it applies the migrations), then the others together.
    stack.apis.push(await stack.spawn('api', { PORT: String(ports[0]) }));
    const rest = await Promise.all([
      ...ports.slice(1).map((port, i) => stack.spawn(`api${i + 1}`, { PORT: String(port) })),
      ...Array.from({ length: opts.workers ?? 2 }, (_, i) => stack.spawn(`worker${i}`)),
    ]);
    stack.apis.push(...rest.slice(0, ports.length - 1));
    stack.workers.push(...rest.slice(ports.length - 1));
    stack.db = new Pool({ connectionString: stack.dbUrl, max: 4 });
    stack.db.on('error', () => undefined);
    stack.redis = opts.servers.cluster?.client() ?? new Redis(opts.servers.redisUrl, { maxRetriesPerRequest: null });
    stack.redis.on('error', () => undefined);
    return stack;
  }

  get apiUrl(): string {
    return this.apiUrls[0];
  }

  /** The first api process. */
  get api(): ServiceProcess {
    return this.apis[0];
  }

  /** The Stripe event queue's partitions, as the service names them. */
  get eventQueueNames(): string[] {
    return stripeEventQueueNames(
      Number(this.opts.env?.EVENT_QUEUE_PARTITIONS ?? 1),
      this.opts.servers.cluster !== undefined,
    );
  }

  env(role: string): Record<string, string> {
    const cluster = this.opts.servers.cluster;
    return {
      ROLE: role,
      DATABASE_URL: this.dbUrl,
      ...(cluster ? { REDIS_CLUSTER_NODES: cluster.nodes } : { REDIS_URL: this.opts.servers.redisUrl }),
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
    return [...this.apis, ...this.workers];
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

  /** Waits until the queues (default: every Stripe event partition) have nothing waiting, delayed or active. */
  async settle(timeoutMs: number, queues = this.eventQueueNames): Promise<void> {
    await waitFor(
      async () => {
        // A server just restarted (an outage scenario) may refuse a read or two: ask again.
        const counts = await this.jobCounts(queues, [
          'wait',
          'active',
          'delayed',
          'prioritized',
          'waiting-children',
        ]).catch(() => undefined);
        return counts !== undefined && Object.values(counts).every((n) => n === 0);
      },
      timeoutMs,
      `queues ${queues.join(', ')} to drain`,
      250,
    );
  }

  /** Job counts summed over queues (default: every Stripe event partition), e.g. `{ completed, failed }`. */
  async jobCounts(
    queues = this.eventQueueNames,
    states: JobType[] = ['completed', 'failed', 'wait', 'active', 'delayed'],
  ): Promise<Record<string, number>> {
    const sum: Record<string, number> = {};
    for (const name of queues) {
      for (const [state, n] of Object.entries(await this.queue(name).getJobCounts(...states)))
        sum[state] = (sum[state] ?? 0) + n;
    }
    return sum;
  }

  /** Which of `ids` have a job stored in Redis (any state, any Stripe event partition). */
  async storedJobs(ids: string[]): Promise<Set<string>> {
    const stored = new Set<string>();
    for (const queue of this.eventQueueNames) {
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        // One queue's keys share a slot, so this pipeline stays on one cluster node.
        const pipeline = this.redis.pipeline();
        for (const id of chunk) pipeline.exists(`${this.prefix}:${queue}:${id}`);
        const results = (await pipeline.exec()) ?? [];
        results.forEach(([, n], j) => n === 1 && stored.add(chunk[j]));
      }
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
    // A private server or cluster is destroyed with its data; on the shared one the prefix goes.
    if (!this.opts.servers.redis && !this.opts.servers.cluster)
      await deleteKeys(this.redis as Redis, this.prefix).catch(() => undefined);
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
