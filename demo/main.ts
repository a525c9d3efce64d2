/**
 * `npm run demo [-- --exit]`: the whole story offline against the project's own Stripe stand-in,
 * with only the local PostgreSQL and Redis. Uses the database `<DATABASE_URL name>_demo`
 * (recreated each run) and the Redis prefix `<KEY_PREFIX>-demo`. Afterwards the service keeps
 * running so Bull Board can be opened; Ctrl-C stops it (`--exit` stops at once).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigError, loadDemoConfig } from '../src/config';
import { startDemoStack } from './stack';
import { demoFooter, runDemoStory } from './story';
import { preflight } from '../src/runtime/preflight';

async function run(): Promise<void> {
  const { values } = parseArgs({ options: { exit: { type: 'boolean' } } });
  const env = loadDemoConfig();
  const problems = await preflight(env.DATABASE_URL, { url: env.REDIS_URL });
  if (problems.length) {
    problems.forEach((p) => console.error(p));
    process.exit(1);
  }
  const databaseUrl = new URL(env.DATABASE_URL);
  databaseUrl.pathname = `${databaseUrl.pathname}_demo`;
  console.log(`demo: database ${databaseUrl.pathname.slice(1)}, Redis prefix ${env.KEY_PREFIX}-demo, port ${env.PORT}`);
  const stack = await startDemoStack({
    databaseUrl: databaseUrl.toString(),
    redisUrl: env.REDIS_URL,
    keyPrefix: `${env.KEY_PREFIX}-demo`,
    port: env.PORT,
    freshDatabase: true,
  });
  let failed = true;
  try {
    const steps = await runDemoStory(stack, (line) => console.log(line));
    failed = steps.some((s) => !s.ok);
    console.log(`\n${failed ? 'Some steps did not turn out as expected:' : 'Every step turned out as expected:'}`);
    for (const s of steps) console.log(`  ${s.ok ? '✓' : '✗'} ${s.name}: ${s.actual}`);
    console.log('');
    demoFooter(stack).forEach((l) => console.log(l));
  } catch (error) {
    console.error(`demo failed: ${(error as Error).message}`);
  }
  if (values.exit || failed) {
    await stack.stop();
    process.exit(failed ? 1 : 0);
  }
  console.log('\nThe service keeps running for you to look around; Ctrl-C stops it.');
  process.once('SIGINT', () => void stack.stop().then(() => process.exit(0)));
}

run().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `demo failed: ${(error as Error).message}`);
  process.exit(1);
});
