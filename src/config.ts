/**
 * The service's configuration, read from the environment once and validated with zod.
 * This is the only module that reads `process.env`. Every problem is reported at once,
 * and secrets never appear in error messages.
 */
import { z } from 'zod';

/** Most partitions accepted (EVENT_QUEUE_PARTITIONS): each is a BullMQ Worker in every worker process. */
export const MAX_PARTITIONS = 256;

const csv = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const intFromEnv = (min: number) => z.coerce.number().int().min(min);

/**
 * `host:port,host:port,…` → nodes. Every bad entry is named (the problems are joined into one
 * message, listed with every other configuration problem).
 */
const clusterNodes = z.string().transform((value, ctx) => {
  const nodes: Array<{ host: string; port: number }> = [];
  const bad: string[] = [];
  for (const entry of csv(value)) {
    const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[2]) : 0;
    if (match && port >= 1 && port <= 65535) nodes.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
    else bad.push(`"${entry}"`);
  }
  if (bad.length) ctx.addIssue({ code: 'custom', message: `not host:port: ${bad.join(', ')}` });
  else if (nodes.length === 0) ctx.addIssue({ code: 'custom', message: 'needs at least one host:port' });
  return nodes;
});

const databaseUrl = z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/billing');

/** With NODE_ENV=production, API keys and the admin password are at least this long (guessable ones are refused). */
export const PRODUCTION_SECRET_MIN_LENGTH = 16;
const short = (value: string) => value.length < PRODUCTION_SECRET_MIN_LENGTH;
const productionOnly = (c: { NODE_ENV?: string }) => c.NODE_ENV === 'production';

const schema = z
  .object({
    // Only "production" changes anything here: it requires long API keys and admin password (below).
    NODE_ENV: z.string().optional(),
    ROLE: z.enum(['api', 'worker', 'all']).default('all'),
    PORT: intFromEnv(0).max(65535).default(3000),
    DATABASE_URL: databaseUrl,
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    KEY_PREFIX: z
      .string()
      .min(1)
      .regex(/^[^:\s]+$/, 'must not contain ":" or spaces')
      .default('billing'),
    // A Redis Cluster (any of its masters): every queue and counter lives there; REDIS_URL is unused.
    REDIS_CLUSTER_NODES: clusterNodes.optional(),
    // Stripe event queues, each in its own cluster slot (queues/partitions.ts); a multiple of the master count on a cluster.
    EVENT_QUEUE_PARTITIONS: intFromEnv(1).max(MAX_PARTITIONS).default(1),
    STRIPE_SECRET_KEY: z.string({ error: 'is required' }).regex(/^(sk|rk)_\S+$/, 'must start with sk_ or rk_'),
    STRIPE_WEBHOOK_SECRET: z
      .string({ error: 'is required' })
      .transform(csv)
      .refine((list) => list.length > 0, 'needs at least one whsec_… secret')
      .refine((list) => list.every((s) => s.startsWith('whsec_')), 'every secret must start with whsec_'),
    STRIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
    API_KEYS: z.string().optional().transform(csv),
    ADMIN_USER: z.string().min(1).optional(),
    ADMIN_PASSWORD: z.string().min(1).optional(),
    // true: the operator console and Bull Board show everything but refuse every write (403).
    ADMIN_READ_ONLY: z.stringbool().default(false),
    // How often the worker replays missed Stripe events (Events API); 0 turns the scheduler off.
    REPLAY_INTERVAL_MS: intFromEnv(0)
      .refine((ms) => ms === 0 || ms >= 1000, 'must be 0 (off) or at least 1000')
      .default(86_400_000),
    // processed_events rows are kept while Stripe may still send their event: 30 days of Events API
    // history (replay) plus 3 days of delivery retries, so anything shorter is refused.
    PROCESSED_EVENTS_RETENTION_DAYS: z.coerce
      .number()
      .int()
      .min(
        34,
        'must be at least 34: Stripe keeps events 30 days and retries deliveries 3 more, so a younger event id may still arrive',
      )
      .default(45),
    // How often the worker prunes processed_events; 0 turns the scheduler off.
    PROCESSED_EVENTS_PRUNE_INTERVAL_MS: intFromEnv(0)
      .refine((ms) => ms === 0 || ms >= 1000, 'must be 0 (off) or at least 1000')
      .default(3_600_000),
    // Completed Stripe event jobs are kept this long (and at most 10,000 of them, queues/job-options.ts).
    COMPLETED_JOB_RETENTION_SECONDS: intFromEnv(0).default(3600),
    // Stripe requests per second that backfill and replay may use (live limit 100/s, sandbox 25/s).
    BACKFILL_RATE_PER_SECOND: z.coerce.number().positive().max(100).default(20),
    // ROLE=worker has no API port; set this to serve /metrics, /healthz and /readyz from the worker.
    METRICS_PORT: intFromEnv(0).max(65535).optional(),
    USAGE_FLUSH_INTERVAL_MS: intFromEnv(1000).default(3_600_000),
    USAGE_FLUSH_THRESHOLD: intFromEnv(1).default(50_000),
    // Usage is aggregated per (customer, meter, window); the meter event is stamped at the window start, or at
    // the start of a subscription created inside the window (src/usage/window.ts).
    USAGE_WINDOW_SECONDS: intFromEnv(1)
      .refine((s) => 86_400 % s === 0, 'must divide 86400 (one day)')
      .default(3600),
    // How long a usage event id is remembered: the same id within it is counted once.
    USAGE_DEDUPE_SECONDS: intFromEnv(1).default(86_400),
    // invoice.created flushes of many customers are gathered for up to this long and claimed together.
    USAGE_INVOICE_FLUSH_DELAY_MS: intFromEnv(100).max(600_000).default(10_000),
    // How often the worker checks pending usage against USAGE_FLUSH_THRESHOLD.
    USAGE_THRESHOLD_CHECK_MS: intFromEnv(100).default(5000),
    // How often the worker compares the ledger with Stripe's meter event summaries (flow C); 0 turns the scheduler off.
    USAGE_RECONCILE_INTERVAL_MS: intFromEnv(0)
      .refine((ms) => ms === 0 || ms >= 1000, 'must be 0 (off) or at least 1000')
      .default(3_600_000),
    // An hour (and a re-sent event) is compared only once this long has passed: Stripe's summaries lag.
    USAGE_RECONCILE_SETTLE_SECONDS: intFromEnv(0).default(7200),
    // usage_reports rows (and what reconciliation stored about them) older than this are pruned.
    USAGE_LEDGER_RETENTION_DAYS: z.coerce
      .number()
      .int()
      .min(35, 'must be at least 35: reconciliation compares the last 35 days with Stripe')
      .default(400),
    // Meter event stream requests per second (Stripe allows far more: 10,000/s live).
    STRIPE_METER_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(10_000).default(20),
    ACCESS_GRACE_PERIOD_SECONDS: intFromEnv(0).default(0),
    // The deployment's public base URL: `npm run setup` and `npm run doctor` know this service's endpoints by it.
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    // Where access-change notifications are POSTed (unset: none are sent), and the secret that signs them.
    ACCESS_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
    ACCESS_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    // The api's in-memory access answers: at most this old (a committed change drops them at once
    // through the access change feed; this bounds the rest), 0 turns the cache off; and how many customers.
    ACCESS_CACHE_TTL_MS: intFromEnv(0).default(60_000),
    ACCESS_CACHE_MAX_ENTRIES: intFromEnv(1).default(100_000),
    // How often the worker checks for grace periods run out and relays notifications left unenqueued.
    ACCESS_SWEEP_INTERVAL_MS: intFromEnv(1000).default(15_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SHUTDOWN_TIMEOUT_MS: intFromEnv(0).default(30_000),
    // Jobs a worker process runs at once: enough to fill WORKER_BATCH_TRANSACTIONS batches of
    // WORKER_BATCH_SIZE; they share those few transactions, not 100 connections.
    WORKER_CONCURRENCY: intFromEnv(1).default(100),
    // Most Stripe events the worker applies in one PostgreSQL transaction (events/batcher.ts); 1 turns batching off.
    WORKER_BATCH_SIZE: intFromEnv(1).max(1000).default(50),
    // Most of those batch transactions at once; events arriving meanwhile join the next batch.
    WORKER_BATCH_TRANSACTIONS: intFromEnv(1).max(1000).default(2),
    // PostgreSQL connections per process; keep processes × pool below the server's max_connections.
    DATABASE_POOL_SIZE: intFromEnv(1).max(1000).default(20),
  })
  .refine((c) => !productionOnly(c) || !c.API_KEYS.some(short), {
    message: `every key must be at least ${PRODUCTION_SECRET_MIN_LENGTH} characters with NODE_ENV=production`,
    path: ['API_KEYS'],
  })
  .refine((c) => !productionOnly(c) || c.ADMIN_PASSWORD === undefined || !short(c.ADMIN_PASSWORD), {
    message: `must be at least ${PRODUCTION_SECRET_MIN_LENGTH} characters with NODE_ENV=production`,
    path: ['ADMIN_PASSWORD'],
  })
  .refine((c) => (c.ADMIN_USER === undefined) === (c.ADMIN_PASSWORD === undefined), {
    message: 'ADMIN_USER and ADMIN_PASSWORD must be set together',
    path: ['ADMIN_USER'],
  })
  .refine((c) => c.ACCESS_WEBHOOK_URL === undefined || c.ACCESS_WEBHOOK_SECRET !== undefined, {
    message: 'is required with ACCESS_WEBHOOK_URL',
    path: ['ACCESS_WEBHOOK_SECRET'],
  })
  .refine((c) => c.REDIS_CLUSTER_NODES === undefined || !/[{}]/.test(c.KEY_PREFIX), {
    // A tag in the prefix would put every queue in one slot: the queue names carry the tags.
    message: 'must not contain "{" or "}" with REDIS_CLUSTER_NODES (each queue carries its own hash tag)',
    path: ['KEY_PREFIX'],
  });

export type Config = z.infer<typeof schema>;

/** Every variable the configuration reads (the deployment files' tests check theirs against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

// Empty strings mean "unset", as in most .env tooling.
const cleanEnv = (env: Env): Env =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));

function parseEnv<T extends z.ZodType>(target: T, env: Env): z.infer<T> {
  const result = target.safeParse(cleanEnv(env));
  if (result.success) return result.data;
  // zod messages never echo the offending value, so secrets stay out of the output.
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`));
}

/** Parses an environment (default: `process.env`); throws a ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  return parseEnv(schema, env);
}

/**
 * Each variable parsed on its own (`npm run doctor`): the valid ones keep their value or default even
 * when others are wrong, so the checks that depend only on them still run; `invalid` names the rest.
 */
export function loadConfigFields(env: Env = process.env): { fields: Partial<Config>; invalid: string[] } {
  const cleaned = cleanEnv(env);
  const fields: Record<string, unknown> = {};
  const invalid: string[] = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    const result = (field as z.ZodType).safeParse(cleaned[name]);
    if (!result.success) invalid.push(name);
    else if (result.data !== undefined) fields[name] = result.data;
  }
  return { fields: fields as Partial<Config>, invalid };
}

/** What `npm run migrate` needs: only the database. */
export function loadMigrateConfig(env: Env = process.env): { DATABASE_URL: string } {
  return parseEnv(z.object({ DATABASE_URL: databaseUrl }), env);
}

/** What `npm run demo` reads: where PostgreSQL and Redis are, and the port to serve on (it configures the rest itself). */
export function loadDemoConfig(env: Env = process.env): {
  DATABASE_URL: string;
  REDIS_URL: string;
  KEY_PREFIX: string;
  PORT: number;
} {
  return parseEnv(
    z.object({
      DATABASE_URL: databaseUrl,
      REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
      KEY_PREFIX: z
        .string()
        .min(1)
        .regex(/^[^:\s]+$/)
        .default('billing'),
      PORT: intFromEnv(0).max(65535).default(3000),
    }),
    env,
  );
}
