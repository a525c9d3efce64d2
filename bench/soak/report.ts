/**
 * The soak's verdict and tables: every series judged flat after warm-up (flat.ts), and the report
 * printed every minute and at the end.
 */
import { FlatRule, FlatVerdict, judgeFlat } from './flat';
import { BOUNDED_TABLES, LEDGER_TABLES, Sample } from './sample';

export const WARMUP_FRACTION = 0.3;
export const TOLERANCE = 0.1;

export interface SeriesVerdict extends FlatVerdict {
  series: string;
  unit: string;
  first: number;
  last: number;
  /** false: reported only (the usage ledger grows by design). */
  judged: boolean;
}

interface Series {
  name: string;
  unit: string;
  floor: number;
  judged: boolean;
  value: (s: Sample) => number;
}

/** Every measured series, with the drift always allowed (noise of its kind) and whether it is judged. */
export function seriesOf(samples: readonly Sample[], eventsPerSecond: number, rssFloorMb: number): Series[] {
  const processes = Object.keys(samples[0]?.rssMb ?? {});
  return [
    // A V8 heap breathes by tens of MB between collections; the floor is the smallest leak a run can see.
    ...processes.map((p) => ({
      name: `RSS ${p}`,
      unit: 'MB',
      floor: rssFloorMb,
      judged: true,
      value: (s: Sample) => s.rssMb[p],
    })),
    { name: 'Redis used_memory', unit: 'MB', floor: 2, judged: true, value: (s) => s.redisUsedMemoryMb },
    // A table grows by whole pages, and its free space is reused only after a vacuum.
    ...BOUNDED_TABLES.map((t) => ({
      name: `table ${t}`,
      unit: 'MB',
      floor: 0.5,
      judged: true,
      value: (s: Sample) => s.tableMb[t],
    })),
    ...LEDGER_TABLES.map((t) => ({
      name: `table ${t} (ledger)`,
      unit: 'MB',
      floor: 0,
      judged: false,
      value: (s: Sample) => s.tableMb[t],
    })),
    {
      name: 'processed_events rows',
      unit: 'rows',
      floor: eventsPerSecond * 10,
      judged: true,
      value: (s) => s.processedEventsRows,
    },
    // Waiting jobs jitter with the moment of sampling: a few seconds of traffic is noise.
    {
      name: 'queue waiting+active+delayed',
      unit: 'jobs',
      floor: eventsPerSecond * 5,
      judged: true,
      value: (s) => s.queue.waiting + s.queue.active + s.queue.delayed,
    },
    {
      name: 'queue completed',
      unit: 'jobs',
      floor: eventsPerSecond * 10,
      judged: true,
      value: (s) => s.queue.completed,
    },
    { name: 'queue failed', unit: 'jobs', floor: 0, judged: true, value: (s) => s.queue.failed },
  ];
}

export function judgeSeries(
  samples: readonly Sample[],
  runSeconds: number,
  eventsPerSecond: number,
  rssFloorMb: number,
): SeriesVerdict[] {
  return seriesOf(samples, eventsPerSecond, rssFloorMb).map((s) => {
    const rule: FlatRule = { warmupFraction: WARMUP_FRACTION, tolerance: TOLERANCE, floor: s.floor };
    const points = samples.map((x) => ({ t: x.t, value: s.value(x) }));
    const verdict = judgeFlat(points, runSeconds, rule);
    return {
      series: s.name,
      unit: s.unit,
      judged: s.judged,
      first: points[0]?.value ?? 0,
      last: points[points.length - 1]?.value ?? 0,
      ...verdict,
    };
  });
}

const mb = (n: number) => n.toFixed(1);
const sum = (record: Record<string, number>, keys: readonly string[]) => keys.reduce((a, k) => a + (record[k] ?? 0), 0);
const MIRROR = BOUNDED_TABLES.filter((t) => t !== 'processed_events');

export const MINUTE_HEADER =
  '| minute | RSS api MB | RSS worker MB | Redis used_memory MB | processed_events rows / MB | mirror tables MB | usage_reports MB | queue waiting+active+delayed | completed | failed |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';

export function minuteRow(s: Sample): string {
  const q = s.queue;
  return `| ${(s.t / 60).toFixed(1)} | ${mb(s.rssMb.api ?? 0)} | ${mb(s.rssMb.worker0 ?? 0)} | ${mb(s.redisUsedMemoryMb)} | ${s.processedEventsRows} / ${mb(s.tableMb.processed_events ?? 0)} | ${mb(sum(s.tableMb, MIRROR))} | ${mb(s.tableMb.usage_reports ?? 0)} | ${q.waiting + q.active + q.delayed} | ${q.completed} | ${q.failed} |`;
}

/** The first sample of every minute (the lines printed during the run) and the final one: the table kept in BENCHMARKS.md. */
export function minuteTable(samples: readonly Sample[]): string {
  const rows = samples.filter(
    (s, i) => i === samples.length - 1 || (i > 0 && Math.floor(s.t / 60) > Math.floor(samples[i - 1].t / 60)),
  );
  return [MINUTE_HEADER, ...rows.map(minuteRow)].join('\n');
}

export function verdictTable(verdicts: readonly SeriesVerdict[]): string {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  const lines = verdicts.map(
    (v) =>
      `| ${v.series} | ${fmt(v.first)} | ${fmt(v.last)} | ${fmt(v.mean)} | ${v.drift >= 0 ? '+' : ''}${fmt(v.drift)} (${(v.relativeDrift * 100).toFixed(1)} %) | ${v.judged ? (v.flat ? 'flat' : '**GROWING**') : 'reported only'} |`,
  );
  return [
    '| series (unit) | first | last | mean after warm-up | trend over the rest of the run | verdict |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...verdicts.map((v, i) => lines[i].replace(`| ${v.series} |`, `| ${v.series} (${v.unit}) |`)),
  ].join('\n');
}
