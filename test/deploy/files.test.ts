/**
 * The deployment files against the code they deploy (no Docker daemon here, so what they name is
 * checked instead): every Dockerfile COPY source exists and is in the build context, every RUN and CMD
 * names a script or file that exists, the final stage holds what package.json `files` packs; every
 * variable docker-compose.yml and .env.example set is one src/config.ts reads, .env.example lists all
 * of them with the configuration's own defaults, and the compose services are wired as documented.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; files: string[] };

interface Instruction {
  op: string;
  args: string;
}
/** Dockerfile instructions by stage, comments dropped and `\` continuations joined. */
function dockerStages(): Instruction[][] {
  const text = read('Dockerfile')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: Instruction[][] = [];
  for (const line of text.split('\n').filter((l) => l.trim())) {
    const [, op, args] = /^\s*(\w+)\s+(.*)$/.exec(line)!;
    if (op.toUpperCase() === 'FROM') stages.push([]);
    stages[stages.length - 1]?.push({ op: op.toUpperCase(), args: args.trim() });
  }
  return stages;
}
const words = (args: string) => args.split(/\s+/).filter((w) => !w.startsWith('--'));
const flag = (args: string, name: string) => new RegExp(`--${name}=(\\S+)`).exec(args)?.[1];

describe('Dockerfile', () => {
  const stages = dockerStages();
  const final = stages[stages.length - 1];
  const context = read('.dockerignore')
    .split('\n')
    .filter((l) => l.startsWith('!'))
    .map((l) => l.slice(1));

  test('two stages on the same node 20 slim base, pinned to an exact version', () => {
    expect(stages).toHaveLength(2);
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(read('Dockerfile'))?.[1];
    expect(base).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    expect(stages.map((s) => s[0].args)).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE}']);
  });

  test('every COPY source exists and is in the build context (.dockerignore lets in only those)', () => {
    const sources = stages.flat().filter((i) => i.op === 'COPY' && !flag(i.args, 'from'));
    const named = sources.flatMap((i) => words(i.args).slice(0, -1));
    expect(named.length).toBeGreaterThan(4);
    for (const source of named) {
      expect(existsSync(join(ROOT, source))).toBe(true);
      expect(context).toContain(source);
    }
    expect(context.sort()).toEqual([...new Set(named)].sort());
    expect(existsSync(join(ROOT, '.env.example'))).toBe(true);
    expect(context).not.toContain('.env');
  });

  test('RUN names only npm commands and scripts that exist, each after the lockfile is copied', () => {
    for (const stage of stages) {
      let lockfile = false;
      for (const { op, args } of stage) {
        if (op === 'COPY' && words(args).includes('package-lock.json')) lockfile = true;
        if (op !== 'RUN') continue;
        for (const command of args.split('&&').map((c) => c.trim())) {
          const [tool, sub, script] = command.split(/\s+/);
          expect(tool).toBe('npm');
          if (sub === 'ci') expect(lockfile).toBe(true);
          if (sub === 'run') expect(Object.keys(pkg.scripts)).toContain(script);
        }
      }
    }
    expect(stages[0].find((i) => i.op === 'RUN' && i.args.includes('npm run build'))).toBeDefined();
    expect(final.find((i) => i.op === 'RUN')?.args).toMatch(/^npm ci --omit=dev /);
  });

  test('the final stage: production mode, the built folders package.json packs, a non-root user, node in exec form', () => {
    const copied = final.filter((i) => flag(i.args, 'from') === 'build').map((i) => words(i.args));
    expect(copied.map(([from, to]) => [from.replace('/app/', ''), to.replace('./', '')])).toEqual(
      pkg.files.map((f) => [f, f]),
    );
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[] };
    for (const f of pkg.files) expect(build.include).toContain(f.replace('dist/', ''));
    expect(final).toContainEqual({ op: 'ENV', args: 'NODE_ENV=production' });
    const user = final.find((i) => i.op === 'USER')?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)$/);
    const cmd = JSON.parse(final.find((i) => i.op === 'CMD')!.args) as string[];
    expect(cmd).toEqual(['node', 'dist/src/main.js']);
    // The same outside the image; `exec` lets npm's SIGTERM reach node, not a shell that dies without passing it on.
    expect(pkg.scripts['start:prod']).toBe(`exec ${cmd.join(' ')}`);
    expect(existsSync(join(ROOT, 'src/main.ts'))).toBe(true);
  });

  test('no secret is baked in', () => {
    const set = stages.flat().filter((i) => i.op === 'ENV' || i.op === 'ARG');
    for (const { args } of set) expect(args).not.toMatch(/SECRET|KEY|PASSWORD|TOKEN|whsec_|sk_/i);
  });
});

interface ComposeService {
  image?: string;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string }>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test: string[] };
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  const { services } = compose;
  const app = ['migrate', 'api', 'worker'];

  test('`docker compose up -d` starts only PostgreSQL 15 and Redis (noeviction, AOF)', () => {
    const always = Object.entries(services).filter(([, s]) => !s.profiles?.length);
    expect(always.map(([name]) => name).sort()).toEqual(['postgres', 'redis']);
    expect(services.postgres.image).toBe('postgres:15');
    expect(services.redis.command).toEqual(expect.arrayContaining(['noeviction', '--appendonly', 'yes']));
  });

  test('profile app: migrate once, then api (healthy on /readyz) and two workers, one image and one env file', () => {
    for (const name of app) {
      expect(services[name].profiles).toEqual(['app']);
      expect(services[name].image).toBe(services.api.image);
      expect(services[name].env_file?.map((f) => f.path)).toEqual(['.env']);
    }
    expect(services.migrate.command).toEqual(['node', 'dist/src/cli/migrate.js']);
    expect(existsSync(join(ROOT, 'src/cli/migrate.ts'))).toBe(true);
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(services[name].environment?.ROLE).toBe(name);
    }
    expect(services.worker.deploy?.replicas).toBe(2);
    expect(services.api.healthcheck?.test.join(' ')).toContain(`:${services.api.environment?.PORT}/readyz`);
    expect(services.worker.healthcheck?.test.join(' ')).toContain(
      `:${services.worker.environment?.METRICS_PORT}/readyz`,
    );
  });

  test('every variable it sets is one the configuration reads', () => {
    const set = app.flatMap((name) => Object.keys(services[name].environment ?? {}));
    expect(set.length).toBeGreaterThan(0);
    expect(set.filter((name) => !CONFIG_VARIABLES.includes(name))).toEqual([]);
  });
});

/** The Environment table of the outside contract (../shared/contract.md): what .env.example sets. */
const CONTRACT_VARIABLES = [
  'ROLE',
  'PORT',
  'DATABASE_URL',
  'REDIS_URL',
  'REDIS_CLUSTER_NODES',
  'EVENT_QUEUE_PARTITIONS',
  'KEY_PREFIX',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_API_URL',
  'API_KEYS',
  'ADMIN_USER',
  'ADMIN_PASSWORD',
  'USAGE_FLUSH_INTERVAL_MS',
  'USAGE_FLUSH_THRESHOLD',
  'ACCESS_GRACE_PERIOD_SECONDS',
  'ACCESS_WEBHOOK_URL',
  'ACCESS_WEBHOOK_SECRET',
  'USAGE_DEDUPE_SECONDS',
  'USAGE_RECONCILE_INTERVAL_MS',
  'USAGE_RECONCILE_SETTLE_SECONDS',
  'USAGE_LEDGER_RETENTION_DAYS',
  'ADMIN_READ_ONLY',
  'PUBLIC_URL',
  'PROCESSED_EVENTS_RETENTION_DAYS',
];

describe('.env.example', () => {
  const lines = read('.env.example').split('\n');
  const entry = (l: string) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(l);
  /** Lines that set a variable, and tuning variables listed commented out (`# NAME=default`). */
  const set = lines.filter((l) => l.trim() && !l.startsWith('#')).map(entry);
  const tuning = lines.filter((l) => /^# [A-Z][A-Z0-9_]*=/.test(l)).map((l) => entry(l.slice(2))!);

  test('every line is a comment or NAME=value, each name once', () => {
    expect(set.every((m) => m !== null)).toBe(true);
    const names = [...set, ...tuning].map((m) => m![1]);
    expect(new Set(names).size).toBe(names.length);
  });

  test("sets exactly the contract's variables, and lists every other variable the configuration reads", () => {
    const setNames = set.map((m) => m![1]);
    expect([...setNames].sort()).toEqual([...CONTRACT_VARIABLES].sort());
    const names = [...setNames, ...tuning.map((m) => m[1])];
    expect(names.filter((n) => !CONFIG_VARIABLES.includes(n))).toEqual([]);
    expect(CONFIG_VARIABLES.filter((n) => !names.includes(n))).toEqual([]);
  });

  test("its values are the configuration's defaults (empty = unset); only the Stripe secrets must be filled in", () => {
    const env = Object.fromEntries([...set, ...tuning].map((m) => [m![1], m![2]]));
    const required = { STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' };
    expect(loadConfig({ ...env, ...required })).toEqual(loadConfig(required));
    expect(() => loadConfig(env)).toThrow(/STRIPE_SECRET_KEY: is required[\s\S]*STRIPE_WEBHOOK_SECRET: is required/);
  });
});
