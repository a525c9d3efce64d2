/**
 * The maintenance queue's processor runs each job by its name. A name this version does not know
 * (a newer release's scheduled job reaching an older worker in a rolling upgrade) fails, named, and
 * is retried later (scheduled jobs have attempts), instead of being taken for a replay as it once was.
 */
import { Redis } from 'ioredis';
import { waitFor } from '../../src/lib/wait';
import { createMaintenanceQueue, PRUNE_JOB } from '../../src/queues/maintenance-queue';
import { startTestService, TestService } from '../support/service';
import { TEST_REDIS_URL } from '../support/redis';

let t: TestService;
let redis: Redis;
beforeAll(async () => {
  t = await startTestService();
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  await redis.quit();
  await t.stop();
});

test('an unknown job name fails with its name and calls nothing; a known one runs', async () => {
  const queue = createMaintenanceQueue(redis, t.prefix);
  try {
    // One attempt: scheduled jobs retry after a minute, by when a worker that knows the name may take it.
    const unknown = await queue.add('compact-the-future', { retentionDays: 45 } as never, { attempts: 1 });
    const failed = await waitFor(
      async () => ((await unknown.isFailed()) ? queue.getJob(unknown.id!) : undefined),
      10_000,
      'the unknown job to fail',
    );
    expect(failed?.failedReason).toBe('maintenance job "compact-the-future" is unknown to this worker\'s version');
    expect(t.standIn.requests.filter((r) => r.path.startsWith('/v1/events'))).toEqual([]);

    const prune = await queue.add(PRUNE_JOB, { retentionDays: 45 });
    const done = await waitFor(
      async () => ((await prune.isCompleted()) ? queue.getJob(prune.id!) : undefined),
      10_000,
      'the prune',
    );
    expect(done?.returnvalue).toMatchObject({ deleted: 0 });
  } finally {
    await queue.close();
  }
});
