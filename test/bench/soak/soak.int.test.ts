/**
 * `npm run soak`, one minute at small rates, inside `npm test`: real api and worker processes from
 * the TypeScript sources, a private redis-server, a fresh database. Redis, the tables and the queue
 * must be flat after warm-up, and the mirror, access answers and usage totals exact. In one minute
 * a process' heap is still growing into its working size, so RSS is only bounded here (a 1-minute
 * run cannot tell that from a leak); the full run (BENCHMARKS.md) judges RSS flat over ten minutes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAllServiceProcesses, sourceEntry } from '../../../chaos/infra/processes';
import { minuteTable, verdictTable } from '../../../bench/soak/report';
import { runSoak } from '../../../bench/soak/run';
import { ADMIN_URL } from '../../support/postgres';

afterAll(() => killAllServiceProcesses());

test('a one-minute soak stays flat and ends exact', async () => {
  const logDir = mkdtempSync(join(tmpdir(), 'soak-jest-'));
  const report = await runSoak({
    minutes: 1,
    eventsPerSecond: 10,
    usagePerSecond: 50,
    customers: 40,
    sampleSeconds: 3,
    duplicateRate: 0.05,
    rssFloorMb: 32,
    entry: sourceEntry(),
    logDir,
    postgresAdminUrl: ADMIN_URL,
    log: () => undefined,
  });
  const growing = report.verdicts
    .filter((v) => v.judged && !v.flat && !v.series.startsWith('RSS'))
    .map((v) => v.series);
  expect({ growing, ...report.checks, mirrorExamples: report.checks.mirrorExamples.slice(0, 3) }).toMatchObject({
    growing: [],
    undelivered: 0,
    mirrorWrong: 0,
    accessWrong: 0,
    usagePairsWrong: [],
    failedJobs: 0,
    processesCrashed: [],
  });
  expect(report.checks.usageUnitsAtStripe).toBe(report.checks.usageUnitsCounted);
  expect(report.checks.eventsSent).toBeGreaterThanOrEqual(590);
  // Steady state inside the run: old processed_events rows were pruned, completed jobs trimmed.
  const last = report.samples[report.samples.length - 1];
  expect(last.processedEventsRows).toBeLessThan(report.checks.eventsSent / 2);
  expect(last.queue.completed).toBeLessThan(report.checks.eventsSent / 2);
  const rss = report.samples.flatMap((x) => Object.values(x.rssMb));
  expect(Math.max(...rss)).toBeLessThan(400);
  expect(`${minuteTable(report.samples)}\n${verdictTable(report.verdicts)}`).toContain('| Redis used_memory (MB) |');
}, 100_000);
