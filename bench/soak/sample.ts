/**
 * One soak sample: resident memory of each service process, Redis `used_memory`, the size of each
 * PostgreSQL table the engine writes (pg_total_relation_size: heap, indexes and TOAST) and the depths
 * of the Stripe event queue.
 */
import { readFileSync } from 'node:fs';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';

/** The mirror tables and processed_events: judged flat. */
export const BOUNDED_TABLES = [
  'processed_events',
  'customers',
  'products',
  'prices',
  'subscriptions',
  'subscription_items',
  'invoices',
  'checkout_sessions',
] as const;
/** The usage ledger grows by design (one row per customer, meter and drain): reported, not judged. */
export const LEDGER_TABLES = ['usage_reports'] as const;

export interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssMb: Record<string, number>;
  redisUsedMemoryMb: number;
  tableMb: Record<string, number>;
  processedEventsRows: number;
  queue: { waiting: number; active: number; delayed: number; completed: number; failed: number };
}

/** Resident set size (VmRSS) of a process in MB; 0 once it is gone. */
export function rssMb(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** `used_memory` from INFO memory, in MB. */
export async function redisUsedMemoryMb(redis: Redis): Promise<number> {
  const m = /used_memory:(\d+)/.exec(await redis.info('memory'));
  return m ? Number(m[1]) / 2 ** 20 : 0;
}

export async function takeSample(
  t: number,
  deps: { pids: Record<string, number | undefined>; redis: Redis; db: Pool; queue: Queue },
): Promise<Sample> {
  const tables = [...BOUNDED_TABLES, ...LEDGER_TABLES];
  const sizes = await deps.db.query<{ name: string; bytes: string }>(
    'SELECT name, pg_total_relation_size(name::regclass) AS bytes FROM unnest($1::text[]) AS name',
    [tables],
  );
  const rows = await deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM processed_events');
  const counts = await deps.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  return {
    t,
    rssMb: Object.fromEntries(Object.entries(deps.pids).map(([name, pid]) => [name, rssMb(pid)])),
    redisUsedMemoryMb: await redisUsedMemoryMb(deps.redis),
    tableMb: Object.fromEntries(sizes.rows.map((r) => [r.name, Number(r.bytes) / 2 ** 20])),
    processedEventsRows: rows.rows[0].n,
    queue: {
      waiting: counts.waiting,
      active: counts.active,
      delayed: counts.delayed,
      completed: counts.completed,
      failed: counts.failed,
    },
  };
}

/**
 * Average bytes Redis holds per completed job: MEMORY USAGE of up to `n` completed job hashes
 * (payload, options, return value and timestamps) plus each job's share of the completed set.
 */
export async function bytesPerCompletedJob(redis: Redis, queue: Queue, n = 200): Promise<number> {
  const ids = (await queue.getCompleted(0, n - 1)).map((j) => j.id!);
  if (ids.length === 0) return 0;
  const sizes = await Promise.all(
    ids.map((id) => redis.call('MEMORY', 'USAGE', queue.toKey(id), 'SAMPLES', '0') as Promise<number | null>),
  );
  const set =
    Number((await redis.call('MEMORY', 'USAGE', queue.toKey('completed'))) ?? 0) /
    Math.max(1, await redis.zcard(queue.toKey('completed')));
  return sizes.reduce<number>((a, b) => a + Number(b ?? 0), 0) / ids.length + set;
}
