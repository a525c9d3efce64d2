/**
 * What the production image runs, without Docker: the project is built from exactly the image's build
 * context (the .dockerignore whitelist), `npm pack`ed (package.json `files` decides what goes in),
 * installed in a clean folder with `npm ci --omit=dev` (the published lockfile copied beside it, as
 * the Dockerfile does), and started there with ROLE=api and worker as the image does
 * (`node dist/src/main.js`) and with ROLE=all as a production install without Docker does
 * (`npm run start:prod`), each against a database that does not exist yet, its own Redis prefix and
 * the Stripe stand-in: /readyz answers 200, every migration is applied, and SIGTERM ends the process
 * cleanly. The migrations also run alone from dist (`node dist/src/cli/migrate.js`, the compose
 * `migrate` service), and so do the operator commands (`setup`, `doctor`); every npm script that
 * builds first runs a file the install holds.
 * Slow (a build and an install): done once for the file.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from '../../chaos/infra/ports';
import { knownMigrationNames } from '../../src/ops/doctor/fetch-database';
import { waitFor } from '../../src/lib/wait';
import { StripeStandIn } from '../../stand-in/index';
import { databaseUrl, dropDatabase, testDatabaseName } from '../support/postgres';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../support/redis';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'billing-package-'));
const installed = join(work, 'installed', 'package');
let standIn: StripeStandIn;
const databases: string[] = [];
const prefixes: string[] = [];

/** The files the image's build context holds (.dockerignore lets in only these). */
const buildContext = () =>
  readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('!'))
    .map((l) => l.slice(1));

beforeAll(async () => {
  standIn = await StripeStandIn.start();
  const source = join(work, 'source');
  for (const entry of buildContext()) cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
  await run('npm', ['run', '--silent', 'build'], { cwd: source });
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: source });
  mkdirSync(join(work, 'installed'));
  await run('tar', ['xzf', join(work, stdout.trim()), '-C', join(work, 'installed')]);
  cpSync(join(ROOT, 'package-lock.json'), join(installed, 'package-lock.json'));
  // --prefer-offline: the packages are in npm's cache after the project's own `npm ci`.
  await run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: installed,
    env: { ...process.env, NODE_ENV: 'production' },
  });
}, 300_000);

afterAll(async () => {
  await standIn.close();
  for (const name of databases) await dropDatabase(name);
  for (const prefix of prefixes) await deleteKeys(prefix);
  rmSync(work, { recursive: true, force: true });
});

/** Every `require("…")` of a package (not a relative path) in the JavaScript files under `dir`. */
function packagesRequired(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const [, spec] of text.matchAll(/require\("([^".][^"]*)"\)/g))
      found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  }
  return found;
}

test('the package holds the built code only, and that code requires only production dependencies', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: object };
  expect(readdirSync(installed).sort()).toEqual(['dist', 'node_modules', 'package-lock.json', 'package.json']);
  expect(readdirSync(join(installed, 'dist')).sort()).toEqual(['migrations', 'src']);
  const required = packagesRequired(join(installed, 'dist'));
  expect(required).toContain('stripe');
  const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);
  expect([...required].filter((name) => !allowed.has(name.replace(/^node:/, '')))).toEqual([]);
});

/** The environment a container gets: production mode, a fresh database and prefix, the stand-in. */
function roleEnv(role: string, port: number): Record<string, string> {
  const database = testDatabaseName();
  const prefix = testPrefix();
  databases.push(database);
  prefixes.push(prefix);
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    ROLE: role,
    PORT: String(port),
    ...(role === 'worker' ? { METRICS_PORT: String(port) } : {}),
    DATABASE_URL: databaseUrl(database),
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: TEST_REDIS_URL,
    KEY_PREFIX: prefix,
    STRIPE_SECRET_KEY: 'sk_test_package',
    STRIPE_WEBHOOK_SECRET: 'whsec_package',
    STRIPE_API_URL: standIn.url,
    REPLAY_INTERVAL_MS: '0',
    LOG_LEVEL: 'info',
  };
}

async function appliedMigrations(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ name: string }>('SELECT name FROM typeorm_migrations ORDER BY id')).rows.map(
      (r) => r.name,
    );
  } finally {
    await client.end();
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const NODE = 'node dist/src/main.js';
// npm forwards SIGTERM to its child; the script's `exec` makes that child node itself.
const START_PROD = 'npm run start:prod';
const argv = (command: string) => (command === NODE ? [process.execPath, 'dist/src/main.js'] : command.split(' '));

test.each([
  ['api', NODE],
  ['worker', NODE],
  ['all', START_PROD],
])(
  'ROLE=%s: %s is ready, migrated, and stops cleanly on SIGTERM',
  async (role, command) => {
    const port = await freePort();
    const env = roleEnv(role, port);
    const [file, ...args] = argv(command);
    const child = spawn(file, args, { cwd: installed, env, stdio: 'pipe' });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = exitOf(child);
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${output}`);
          const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
          // With ROLE=all the api answers while the worker still starts; wait for the whole service.
          return res?.status === 200 && output.includes('"msg":"service started"');
        },
        60_000,
        `/readyz of ROLE=${role}`,
        200,
      );
      expect(await appliedMigrations(env.DATABASE_URL)).toEqual(knownMigrationNames());
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"stopped"');
    expect(output).not.toMatch(/"level":(50|60)/); // no error or fatal line
  },
  90_000,
);

test('SIGTERM while the service still starts (the api already answers) waits for the start, then drains', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: installed,
    env: roleEnv('all', port),
    stdio: 'pipe',
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = exitOf(child);
  // As early as a rollout could: the first moment the api answers, the worker still starting.
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200,
    60_000,
    'the api of ROLE=all',
    10,
  );
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toContain('"msg":"stopped"');
}, 90_000);

test('the migrations run alone from dist (the compose migrate service), and a second run finds none', async () => {
  const env = roleEnv('all', 0);
  const first = await run(process.execPath, ['dist/src/cli/migrate.js'], { cwd: installed, env });
  expect(first.stdout).toBe(`applied: ${knownMigrationNames().join(', ')}\n`);
  const second = await run(process.execPath, ['dist/src/cli/migrate.js'], { cwd: installed, env });
  expect(second.stdout).toBe('no pending migrations\n');
}, 60_000);

test('each npm script that builds first runs a built file the production install holds', () => {
  const { scripts } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const built = Object.entries(scripts).flatMap(([name, script]) => {
    const file = /^npm run --silent build && node (dist\/src\/\S+\.js)$/.exec(script)?.[1];
    return file ? [[name, file, existsSync(join(installed, file))]] : [];
  });
  expect(built.map(([name]) => name).sort()).toEqual(
    ['backfill', 'doctor', 'migrate', 'replay', 'setup', 'start', 'usage:reconcile'].sort(),
  );
  for (const [name, file, exists] of built) expect({ name, file, exists }).toEqual({ name, file, exists: true });
});

test('the operator commands run from the image too: setup (dry run) and doctor', async () => {
  const env = { ...roleEnv('all', 0), PUBLIC_URL: 'https://billing.example.com' };
  const setup = await run(process.execPath, ['dist/src/cli/setup.js', '--dry-run'], { cwd: installed, env });
  expect(setup.stdout).toContain('would create webhook endpoint: https://billing.example.com/webhooks/stripe');
  const doctor = await run(process.execPath, ['dist/src/cli/doctor.js'], { cwd: installed, env }).catch(
    (error: { code: number; stdout: string }) => error,
  );
  expect(doctor.stdout).toMatch(/^ok {2}configuration: every variable is valid$/m);
  expect(doctor.stdout).toMatch(/^FAIL webhook endpoints: none of the account's 0 endpoint\(s\)/m);
}, 60_000);
