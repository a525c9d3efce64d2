/**
 * `npm run soak [-- --minutes=10 --events-per-second=50 --usage-per-second=500 --customers=600]`:
 * runs the built service (dist/) for that long (see run.ts), prints a line every minute, then the
 * per-minute table and the verdict of every series; writes bench/results/soak.json. Exits non-zero
 * when anything grew after warm-up or a total was not exact.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { distEntry, killAllServiceProcesses, projectRoot } from '../../chaos/infra/processes';
import { ADMIN_URL } from '../../test/support/postgres';
import { MINUTE_HEADER, minuteTable, verdictTable } from './report';
import { runSoak, SoakOptions } from './run';

type Flags = Pick<
  SoakOptions,
  'minutes' | 'eventsPerSecond' | 'usagePerSecond' | 'customers' | 'sampleSeconds' | 'duplicateRate' | 'rssFloorMb'
>;

export const DEFAULT_FLAGS: Flags = {
  minutes: 10,
  eventsPerSecond: 50,
  usagePerSecond: 500,
  customers: 600,
  sampleSeconds: 10,
  duplicateRate: 0.05,
  rssFloorMb: 32,
};

/** `--minutes=5 --events-per-second=50` → flags; an unknown flag or a non-positive number throws. */
export function parseFlags(argv: readonly string[]): Flags {
  const flags = { ...DEFAULT_FLAGS };
  const names: Record<string, keyof Flags> = {
    minutes: 'minutes',
    'events-per-second': 'eventsPerSecond',
    'usage-per-second': 'usagePerSecond',
    customers: 'customers',
    'sample-seconds': 'sampleSeconds',
    'duplicate-rate': 'duplicateRate',
    'rss-floor-mb': 'rssFloorMb',
  };
  for (const arg of argv) {
    const m = /^--([a-z-]+)=(.+)$/.exec(arg);
    const key = m ? names[m[1]] : undefined;
    const value = Number(m?.[2]);
    if (!key || !(value >= 0) || (key !== 'usagePerSecond' && key !== 'duplicateRate' && value === 0)) {
      throw new Error(
        `soak: bad flag ${arg}; use ${Object.keys(names)
          .map((n) => `--${n}=<number>`)
          .join(' ')}`,
      );
    }
    flags[key] = value;
  }
  return flags;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const logDir = mkdtempSync(join(tmpdir(), 'soak-'));
  console.log(
    `soak: ${flags.minutes} min, ${flags.eventsPerSecond} events/s, ${flags.usagePerSecond} usage events/s, ${flags.customers} customers (service logs in ${logDir})`,
  );
  console.log(MINUTE_HEADER);
  const report = await runSoak({
    ...flags,
    entry: distEntry(),
    logDir,
    postgresAdminUrl: ADMIN_URL,
    log: (line) => console.log(line),
  });
  const results = resolve(projectRoot(), 'bench', 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${minuteTable(report.samples)}\n\n${verdictTable(report.verdicts)}\n`);
  console.log(
    `bytes per completed job ${report.bytesPerCompletedJob.toFixed(0)}; Redis baseline ${report.redisBaselineMb.toFixed(1)} MB`,
  );
  console.log(JSON.stringify(report.checks, null, 2));
  console.log(report.pass ? 'soak PASSED' : 'soak FAILED');
  if (!report.pass) process.exitCode = 1;
}

if (require.main === module) {
  process.on('SIGINT', () => {
    killAllServiceProcesses();
    process.exit(130);
  });
  main().catch((error: Error) => {
    console.error(`soak failed: ${error.stack ?? error.message}`);
    killAllServiceProcesses();
    process.exitCode = 1;
  });
}
