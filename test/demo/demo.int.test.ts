/** `npm run demo`'s story runs to its end, and every step's outcome is the expected one. */
import { startDemoStack } from '../../demo/stack';
import { runDemoStory } from '../../demo/story';
import { createTestDatabase } from '../support/postgres';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../support/redis';

test('the demo story: subscribe, payment fails, invoice paid, usage drained, refused usage fixed', async () => {
  const db = await createTestDatabase();
  const prefix = testPrefix();
  const stack = await startDemoStack({
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    keyPrefix: prefix,
    port: 0,
    logLevel: 'silent',
  });
  const lines: string[] = [];
  try {
    const steps = await runDemoStory(stack, (line) => lines.push(line));
    expect(steps.map((s) => [s.name, s.ok, s.actual])).toEqual([
      ['subscribe and pay', true, expect.stringMatching(/^access true/)],
      ['renewal payment fails', true, expect.stringMatching(/^access false \(payment_failed:in_/)],
      ['invoice paid after the card is fixed', true, expect.stringMatching(/^access true/)],
      ['usage counted and drained', true, '157 api_requests'],
      ['refused usage fixed and confirmed', true, 'rejected 42, then confirmed 42 (rejected 0)'],
    ]);
    expect(stack.standIn.unexpected).toEqual([]);
  } finally {
    await stack.stop();
    await db.drop();
    await deleteKeys(prefix);
  }
}, 120_000);
