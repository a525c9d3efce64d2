/** Runs Lua scripts by SHA, loading the text only when Redis lacks it (usage/scripts.ts, access/change-feed.ts). */
import { createHash } from 'node:crypto';
import type { RedisConnection } from './redis';

const shas = new Map<string, string>();
const shaOf = (script: string): string => {
  let sha = shas.get(script);
  if (!sha) shas.set(script, (sha = createHash('sha1').update(script).digest('hex')));
  return sha;
};

/** EVALSHA, falling back to EVAL on NOSCRIPT (a restarted Redis, or a cluster node seeing it first). */
export async function runScript(
  redis: RedisConnection,
  script: string,
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
): Promise<unknown> {
  try {
    return await redis.evalsha(shaOf(script), keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}
