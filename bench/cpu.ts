/**
 * CPU time per process from /proc, to say where an end-to-end event's CPU goes (api, worker,
 * PostgreSQL, Redis, the load generator). Absolute rates wobble on a shared box; CPU per event
 * is the steadier measure of what a change saved.
 */
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** pid → [command name, user + system CPU in ms] for every process visible now. */
export type CpuSnapshot = Map<number, [string, number]>;

const TICK_MS = 10; // USER_HZ is 100 on Linux

export function cpuSnapshot(): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      snapshot.set(Number(entry), [name, (Number(fields[11]) + Number(fields[12])) * TICK_MS]);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return snapshot;
}

/**
 * CPU ms spent between two snapshots by the processes `select` picks (processes that started in
 * between count from zero; ones that ended before `after` are missed, so keep the measured
 * processes alive until then).
 */
export function cpuSpent(
  before: CpuSnapshot,
  after: CpuSnapshot,
  select: (pid: number, name: string) => boolean,
): number {
  let ms = 0;
  for (const [pid, [name, total]] of after) if (select(pid, name)) ms += total - (before.get(pid)?.[1] ?? 0);
  return ms;
}

/** coreSpeed() on this box when no other tenant takes its cores (≈ 170 when one does). */
export const QUIET_CORE_SPEED = 320;

/**
 * One core's speed now: HMAC-SHA256 digests of 64 bytes per ms, for half a second in this process.
 * Taken with nothing else running, before and after a run, so a report made while the host was
 * busy says so.
 */
export function coreSpeed(ms = 500): number {
  let digest: Buffer = Buffer.alloc(64);
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (let i = 0; i < 1000; i++) digest = createHmac('sha256', 'bench').update(digest).digest();
    count += 1000;
  }
  return Math.round(count / (performance.now() - started));
}

/** The report's warning under its goals when a run's core speed was well below quiet; empty otherwise. */
export function busyHostWarning(speed: { start: number; end: number } | undefined): string[] {
  if (!speed || Math.min(speed.start, speed.end) >= 0.85 * QUIET_CORE_SPEED) return [];
  return [
    `**The host was busy during this run:** one core did ${speed.start} and ${speed.end} HMAC-SHA256/ms before and after it, against ≈ ${QUIET_CORE_SPEED} when this box has its cores to itself (see Machine).`,
    'Every rate and latency suffers, and so do ratios whose service side runs more processes than its ceiling (ingest, end to end): compare with quiet runs with care.',
    '',
  ];
}
