/** Runs Lua scripts by SHA, loading the text only when Redis lacks it (usage/scripts.ts, access/access-change-feed.ts). */
import { createHash } from 'node:crypto';
import type { RedisConnection } from './redis';

const shas = new Map<string, string>();
const shaOf = (script: string): string => {
  let sha = shas.get(script);
  if (!sha) shas.set(script, (sha = createHash('sha1').update(script).digest('hex')));
  return sha;
};

/** EVALSHA, falling back to EVAL on NOSCRIPT (a restarted Redis, or a cluster node seeing it first). */
export async function runScript(redis: RedisConnection, script: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
  try {
    return await redis.evalsha(shaOf(script), keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}

/**
 * Several calls of one script at once: one pipeline (one socket write) on a single Redis; separate
 * calls on a cluster, whose pipelines must stay in one slot. Each call settles on its own.
 */
export async function runScriptMany(redis: RedisConnection, script: string, calls: ReadonlyArray<{ keys: readonly string[]; args: ReadonlyArray<string | number> }>): Promise<PromiseSettledResult<unknown>[]> {
  if (redis.isCluster || calls.length === 1) return Promise.allSettled(calls.map((c) => runScript(redis, script, c.keys, c.args)));
  const pipeline = redis.pipeline();
  for (const c of calls) pipeline.evalsha(shaOf(script), c.keys.length, ...c.keys, ...c.args);
  const results = (await pipeline.exec()) ?? [];
  return Promise.allSettled(calls.map(async (c, i) => {
    const [error, value] = results[i] ?? [new Error('pipeline aborted'), undefined];
    if (!error) return value;
    if (error.message.startsWith('NOSCRIPT')) return runScript(redis, script, c.keys, c.args);
    throw error;
  }));
}
