/**
 * The access change feed: how the api processes' caches (cache.ts) learn that a
 * customer's access answer or entitlements may have changed. Whoever commits such a change (the
 * event worker, the grace sweep, backfill) appends the customers to a Redis stream before it
 * enqueues any notification; every api process follows the stream and drops those customers.
 *
 * A stream rather than pub/sub: a reader that was away reads on from where it stopped, and a
 * numbered entry shows it when it missed something (trimmed, or a Redis that lost its data), in
 * which case it drops its whole cache. While the reader cannot reach Redis the cache is not used.
 */
import type { Logger } from '../logger';
import type { RedisConnection } from '../runtime/redis';
import { runScript } from '../runtime/run-script';
import type { AccessCache } from './cache';

/** Both keys carry the `{access}` tag: one cluster slot, so the script below is one atomic step. */
export const feedKeys = (prefix: string) => ({
  sequence: `${prefix}:{access}:changes:n`,
  stream: `${prefix}:{access}:changes`,
});

/** Entries kept (approximately): a reader further behind than this drops its cache and goes on. */
export const FEED_MAX_LENGTH = 10_000;
/** How long one XREAD waits for news; the reader's connection times out a little after it. */
export const FEED_BLOCK_MS = 1000;

/**
 * append — records that `customers` may have changed, numbered so a reader can see a gap.
 *   KEYS[1]  the sequence counter   KEYS[2]  the stream
 *   ARGV[1]  approximate most entries kept   ARGV[2]  customer ids joined by ','
 * Returns the entry's number (1, 2, 3, … for as long as Redis keeps its data).
 */
const APPEND_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'n', n, 'c', ARGV[2])
return n
`;

/** Appends `customers` to the feed; resolves once Redis holds the entry. */
export async function publishAccessInvalidation(
  redis: RedisConnection,
  prefix: string,
  customers: Iterable<string>,
): Promise<void> {
  const list = [...new Set(customers)];
  if (list.length === 0) return;
  const keys = feedKeys(prefix);
  await runScript(redis, APPEND_SCRIPT, [keys.sequence, keys.stream], [FEED_MAX_LENGTH, list.join(',')]);
}

type StreamEntry = [id: string, fields: string[]];

/** The entry's number and customers. Pure. */
export function parseFeedEntry(fields: readonly string[]): { n: number; customers: string[] } {
  const get = (name: string) => fields[fields.indexOf(name) + 1] ?? '';
  return { n: Number(get('n')), customers: get('c').split(',').filter(Boolean) };
}

/** True when entry `n` does not follow `last` (null: nothing read yet, anything follows). Pure. */
export const feedGap = (last: number | null, n: number): boolean => last !== null && n !== last + 1;

/**
 * Follows the feed on `redis` (a connection of its own: XREAD blocks it) and keeps `cache` in step:
 * live while every read succeeds, not live (and emptied) from the first failure until a new start
 * from the stream's end. Returns a function that stops it.
 */
export function followAccessChanges(
  redis: RedisConnection,
  prefix: string,
  cache: AccessCache<unknown>,
  log: Logger,
): () => Promise<void> {
  const { stream } = feedKeys(prefix);
  let stopped = false;
  const run = async () => {
    while (!stopped) {
      try {
        const [last] = (await redis.xrevrange(stream, '+', '-', 'COUNT', 1)) as StreamEntry[];
        let lastId = last?.[0] ?? '0-0';
        let lastN: number | null = last ? parseFeedEntry(last[1]).n : null;
        cache.setLive(true);
        log.info({ from: lastId }, 'following the access change feed; access cache on');
        while (!stopped) {
          const reply = (await redis.xread('COUNT', 1000, 'BLOCK', FEED_BLOCK_MS, 'STREAMS', stream, lastId)) as Array<
            [string, StreamEntry[]]
          > | null;
          for (const [id, fields] of reply?.[0]?.[1] ?? []) {
            const entry = parseFeedEntry(fields);
            if (feedGap(lastN, entry.n)) {
              log.warn({ after: lastN, got: entry.n }, 'access change feed skipped entries; cache emptied');
              cache.clear();
            } else {
              cache.invalidate(entry.customers);
            }
            lastId = id;
            lastN = entry.n;
          }
        }
      } catch (error) {
        if (stopped) break;
        if (cache.isLive) log.warn({ err: error }, 'access change feed lost; access cache off until it is back');
        cache.setLive(false);
        await new Promise((resolve) => setTimeout(resolve, FEED_BLOCK_MS));
      }
    }
    cache.setLive(false);
  };
  const running = run();
  return async () => {
    stopped = true;
    redis.disconnect();
    // The blocked read ends with the disconnect (or its command timeout); never hold a shutdown longer.
    await Promise.race([running, new Promise((resolve) => setTimeout(resolve, FEED_BLOCK_MS).unref())]);
  };
}
