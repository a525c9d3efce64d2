/**
 * The usage client as a product service gets it (docs/usage.md): the engine built with `npm run
 * build` and packed with `npm pack`, the tarball unpacked into a scratch service's node_modules,
 * and a TypeScript file there importing `stripe-billing-engine/usage`. It must type-check through
 * the package's `exports` (types condition; Node16 resolution) and through `typesVersions` (the
 * node10 resolution of older CommonJS services), run, and count an event in Redis; any other path
 * into the package is closed. The build runs in a copy of the sources, so the working tree's
 * dist/ (which `npm run chaos` may be running) is never rewritten under it.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { customerKeys } from '../../src/usage/keys';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../support/redis';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let work: string;
const prefix = testPrefix();
afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
  await deleteKeys(prefix);
});

/** The engine's build inputs (tsconfig.build.json's include) and configs, in a fresh folder. */
function copySources(to: string): void {
  const { include } = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  for (const entry of [
    ...include,
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'tsconfig.usage-client.json',
  ])
    cpSync(join(root, entry), join(to, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(to, 'node_modules'), 'dir');
}

/** A service with the packed engine in its node_modules (as `npm install <tarball>` leaves it), ioredis beside it. */
async function scratchService(tarball: string): Promise<string> {
  const dir = join(work, 'service');
  const engine = join(dir, 'node_modules', 'stripe-billing-engine');
  mkdirSync(engine, { recursive: true });
  await run('tar', ['-xzf', tarball, '--strip-components=1', '-C', engine]);
  symlinkSync(join(root, 'node_modules', 'ioredis'), join(dir, 'node_modules', 'ioredis'), 'dir');
  mkdirSync(join(dir, 'node_modules', '@types'));
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'product-service', private: true }));
  writeFileSync(
    join(dir, 'service.ts'),
    `import { Redis } from 'ioredis';
import { UsageClient, type RecordResult } from 'stripe-billing-engine/usage';

async function main(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL!);
  const usage = new UsageClient({ redis, keyPrefix: process.env.KEY_PREFIX! });
  const result: RecordResult = await usage.record({ customer: 'cus_Package01', meter: 'api_calls', value: 7, id: 'p1' });
  await redis.quit();
  let deepImport = 'allowed';
  try {
    require('stripe-billing-engine/dist/src/usage/client');
  } catch (error) {
    deepImport = (error as { code?: string }).code ?? 'failed';
  }
  console.log(JSON.stringify({ client: typeof UsageClient, result, deepImport }));
}
void main();
`,
  );
  return dir;
}

const compile = (dir: string, options: string[]) =>
  run(
    process.execPath,
    [tsc, 'service.ts', '--outDir', 'out', '--strict', '--target', 'es2022', '--types', 'node', ...options],
    {
      cwd: dir,
    },
  );

test('`import { UsageClient } from "stripe-billing-engine/usage"` type-checks, runs and counts', async () => {
  work = mkdtempSync(join(tmpdir(), 'usage-package-'));
  const engine = join(work, 'engine');
  copySources(engine);
  await run('npm', ['run', 'build'], { cwd: engine });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: engine });
  const [{ filename, files }] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  expect(files.map((f) => f.path)).toEqual(
    expect.arrayContaining(['package.json', 'dist/src/usage/index.js', 'dist/src/usage/index.d.ts']),
  );
  // The built service and its migrations (the image and `npm run start:prod` of an installed package run them), nothing else.
  expect(files.filter((f) => !/^(dist\/(src|migrations)\/|package\.json$|README\.md$)/.test(f.path))).toEqual([]);

  const service = await scratchService(join(work, filename));
  // TypeScript's older node10 resolution reads typesVersions; Node16 (and bundler) read exports.
  await compile(service, [
    '--module',
    'commonjs',
    '--moduleResolution',
    'node10',
    '--ignoreDeprecations',
    '6.0',
    '--noEmit',
  ]);
  await compile(service, ['--module', 'node16', '--moduleResolution', 'node16']);
  const out = await run(process.execPath, ['out/service.js'], {
    cwd: service,
    env: { PATH: process.env.PATH ?? '', REDIS_URL: TEST_REDIS_URL, KEY_PREFIX: prefix },
  });
  expect(JSON.parse(out.stdout)).toEqual({
    client: 'function',
    result: { accepted: 1, duplicates: 0 },
    deepImport: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
  });
  const redis = new Redis(TEST_REDIS_URL);
  try {
    expect(Object.values(await redis.hgetall(customerKeys(prefix, 'cus_Package01').pending))).toEqual(['7']);
  } finally {
    await redis.quit();
  }
}, 240_000);
