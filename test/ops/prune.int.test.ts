/**
 * Bounded PostgreSQL: the processed_events prune deletes rows older than the retention in bounded
 * batches through the event_created index, runs on its scheduler and reports in Bull Board and
 * /metrics; a pruned event redelivered through the webhook route and worker changes nothing,
 * because the mirror row carries a newer watermark.
 */
import type { Queue } from 'bullmq';
import { pruneProcessedEvents, PruneReport } from '../../src/ops/prune';
import { MAINTENANCE_QUEUE, MaintenanceQueue, schedulePrune } from '../../src/queues/maintenance-queue';
import { waitFor } from '../../src/lib/wait';
import { customer, event } from '../../stand-in/events';
import { rows, settle, startTestService, TestService } from '../support/service';

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);
let t: TestService;

// Completed jobs are dropped at once, so a redelivery reaches the worker as after the retention.
beforeAll(async () => {
  t = await startTestService({ COMPLETED_JOB_RETENTION_SECONDS: '0' });
});
afterAll(async () => {
  await t.stop();
});

const processedIds = async (): Promise<string[]> =>
  (await rows(t, 'processed_events', 'stripe_event_id')).map((r) => r.stripe_event_id as string);

test('rows older than the retention go in bounded batches through the index, younger ones stay', async () => {
  const ages = [...Array.from({ length: 12 }, (_, i) => 46 + i), 44, 44.9, 1, 0];
  const values = ages
    .map((age, i) => `('evt_prune${i}', 'customer.updated', ${now() - Math.round(age * DAY)})`)
    .join(', ');
  await t.service.dataSource.query(
    `INSERT INTO processed_events (stripe_event_id, type, event_created) VALUES ${values}`,
  );

  const report = await pruneProcessedEvents(t.service.dataSource, { retentionDays: 45, batchSize: 5 });
  expect(report).toMatchObject({ deleted: 12, batches: 3 });
  expect((await processedIds()).sort()).toEqual(['evt_prune12', 'evt_prune13', 'evt_prune14', 'evt_prune15']);

  // The batch's row search can use the event_created index (the planner picks it on a big table).
  const plan = await t.service.dataSource.transaction(async (m) => {
    await m.query('SET LOCAL enable_seqscan = off');
    return m.query('EXPLAIN SELECT ctid FROM processed_events WHERE event_created < 1 LIMIT 5000');
  });
  expect(JSON.stringify(plan)).toContain('IDX_processed_events_event_created');
  await t.service.dataSource.query('DELETE FROM processed_events');
});

test('the scheduled prune reports in Bull Board and /metrics; a pruned event redelivered changes nothing', async () => {
  const c = customer({ email: 'first@example.com' });
  const created = event('customer.created', c, { created: now() - 50 * DAY });
  const updated = event('customer.updated', { ...c, email: 'newest@example.com' }, { created: now() - 40 * DAY });
  for (const e of [created, updated]) expect((await t.deliver(e)).status).toBe(200);
  await settle(t);
  expect((await processedIds()).sort()).toEqual([created.id, updated.id].sort());

  const maintenance = t.service.queues.find((q) => q.name === MAINTENANCE_QUEUE) as Queue as MaintenanceQueue;
  await schedulePrune(maintenance, 1000, 45);
  try {
    const job = await waitFor(
      async () =>
        (await maintenance.getJobs(['completed'])).find(
          (j) => (j.returnvalue as PruneReport | undefined)?.deleted === 1,
        ),
      15_000,
      'a scheduled prune',
    );
    expect(job?.returnvalue).toMatchObject({ deleted: 1, batches: 1 });
  } finally {
    await schedulePrune(maintenance, 0, 45);
  }
  expect(await processedIds()).toEqual([updated.id]);
  expect(await t.service.metrics.processedEventsPruned.get()).toMatchObject({ values: [{ value: 1 }] });

  // Its job is gone too (retention 0), so Stripe's redelivery is enqueued and reaches the worker.
  expect(await t.service.eventQueues!.getJob(created.id)).toBeUndefined();
  expect((await t.deliver(created)).status).toBe(200);
  await waitFor(
    async () => (await processedIds()).includes(created.id),
    10_000,
    'the redelivered event to be processed',
  );
  expect(
    await t.service.dataSource.query('SELECT email, watermark FROM customers WHERE stripe_id = $1', [c.id]),
  ).toEqual([{ email: 'newest@example.com', watermark: String(updated.created) }]);
});
