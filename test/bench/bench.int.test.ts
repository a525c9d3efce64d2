/**
 * The benchmark cannot rot: its tiny size runs here, in-process (same code as `npm run bench`,
 * which runs the roles as child processes of the built dist), and the report must hold every figure.
 */
import { runBench } from '../../bench/bench';
import { inProcessLauncher } from '../../bench/launch';
import { markdown } from '../../bench/report';
import { SCALES } from '../../bench/scale';

jest.setTimeout(90_000);

const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;

test('the tiny benchmark measures every figure', async () => {
  const report = await runBench({ scale: SCALES.tiny, launcher: inProcessLauncher });

  const { ingest, endToEnd: e2e, memory } = report;
  for (const r of [ingest.verifyOnly, ingest.service, ingest.halfRate]) {
    expect(positive(r.rps) && positive(r.p99) && r.p50 >= 0).toBe(true);
    expect(r.non2xx).toBe(0);
  }
  expect(positive(ingest.ratio)).toBe(true);
  // Every 200 is a stored job (autocannon may send a few more than it counts, never fewer).
  expect(ingest.jobsStored).toBeGreaterThanOrEqual(ingest.accepted);

  expect(e2e.deliveries).toBe(e2e.distinct + e2e.duplicates);
  expect(positive(e2e.eventsPerSec) && positive(e2e.ceiling.txPerSec) && positive(e2e.ratio)).toBe(true);
  expect(e2e.checks).toMatchObject({
    processedEvents: e2e.distinct,
    customers: e2e.customers,
    subscriptions: e2e.customers,
    failedJobs: 0,
    non2xx: 0,
  });
  // Only same-second ties may read from Stripe.
  expect(e2e.stripeReads).toBeLessThanOrEqual(e2e.ties);

  const u = report.usage;
  expect([u.rawIncr, u.client, u.clientWithIds!, u.http, u.httpSingle].every((t) => positive(t.perSec))).toBe(true);
  expect(u.roundRatios).toHaveLength(5);
  expect(u.client.perSec / u.rawIncr.perSec).toBe([...u.roundRatios!].sort((x, y) => x - y)[2]);
  expect(u.drain.requests).toBe(u.drain.expectedRequests);
  expect(u.drain.eventsAccepted).toBe(u.drain.pairs);
  expect(positive(memory.apiPeakRssMb) && positive(memory.workerPeakRssMb)).toBe(true);
  const a = report.access;
  expect(positive(a.ratio) && positive(a.service.rps) && positive(a.ceiling.rps) && positive(a.halfRate.p99)).toBe(
    true,
  );
  expect([a.service.non2xx, a.ceiling.non2xx, a.wrong, a.stale]).toEqual([0, 0, 0, 0]);
  expect(a.changed).toBeGreaterThan(0);
  expect(a.checked).toBeGreaterThan(0);
  expect(report.goals.map((g) => g.name)).toEqual(
    expect.arrayContaining(['webhook ingest / verify-only', 'end to end / ceiling', 'Stripe reads per event']),
  );
  const q = report.usageQuery!;
  expect([q.indexed.p99Ms, q.unindexed.p99Ms, q.indexed.slowestCommandUs].every(positive)).toBe(true);
  expect(q.indexed.queries).toBe(SCALES.tiny.queries);
  expect(markdown(report)).toContain('### 3c. Usage query');
  expect(markdown(report)).toContain('## 4. Memory');
  expect(positive(report.machine.coreSpeed!.start) && positive(report.machine.coreSpeed!.end)).toBe(true);
  expect(markdown(report)).toContain('HMAC-SHA256/ms before the run');
});
