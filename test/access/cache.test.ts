/** The api's access cache (src/access/cache.ts) and the change feed's pure parts. */
import { AccessCache } from '../../src/access/cache';
import { feedGap, parseFeedEntry } from '../../src/access/change-feed';

let clock = 0;
const cache = (ttlMs = 1000, maxEntries = 100) => {
  const c = new AccessCache<string>({ ttlMs, maxEntries, now: () => clock });
  c.setLive(true);
  return c;
};
/** A loader that counts its calls and answers `value`. */
const loader = (value: string) => {
  const fn = jest.fn(async () => value);
  return fn;
};
/** A loader whose answer the test releases. */
function gated(value: string) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    load: jest.fn(async () => {
      await gate;
      return value;
    }),
    release,
  };
}

beforeEach(() => (clock = 0));

test('a hit reads nothing; the TTL (counted from before the read) ends it', async () => {
  const c = cache(1000);
  const load = loader('a');
  expect(await c.get('cus_1', 'state', load)).toBe('a');
  clock = 999;
  expect(await c.get('cus_1', 'state', load)).toBe('a');
  expect(load).toHaveBeenCalledTimes(1);
  clock = 1000;
  await c.get('cus_1', 'state', load);
  expect(load).toHaveBeenCalledTimes(2);
});

test('invalidate drops the customer only', async () => {
  const c = cache();
  const a = loader('a');
  const b = loader('b');
  await c.get('cus_1', 'state', a);
  await c.get('cus_2', 'state', b);
  c.invalidate(['cus_1']);
  await c.get('cus_1', 'state', a);
  await c.get('cus_2', 'state', b);
  expect(a).toHaveBeenCalledTimes(2);
  expect(b).toHaveBeenCalledTimes(1);
});

test('a read running when its customer is invalidated answers its caller but is not kept, and is not joined', async () => {
  const c = cache();
  const old = gated('old');
  const first = c.get('cus_1', 'state', old.load);
  c.invalidate(['cus_1']);
  // A caller after the invalidation must not get the read that began before it.
  const fresh = loader('new');
  expect(await c.get('cus_1', 'state', fresh)).toBe('new');
  old.release();
  expect(await first).toBe('old');
  expect(await c.get('cus_1', 'state', loader('never'))).toBe('new');
});

test('concurrent misses of one customer share one read', async () => {
  const c = cache();
  const g = gated('a');
  const answers = Promise.all([c.get('cus_1', 'state', g.load), c.get('cus_1', 'state', g.load)]);
  g.release();
  expect(await answers).toEqual(['a', 'a']);
  expect(g.load).toHaveBeenCalledTimes(1);
});

test('not live (feed lost, or TTL 0): every call reads and nothing is kept', async () => {
  const c = cache();
  const load = loader('a');
  await c.get('cus_1', 'state', load);
  c.setLive(false);
  await c.get('cus_1', 'state', load);
  await c.get('cus_1', 'state', load);
  expect(load).toHaveBeenCalledTimes(3);
  expect(c.size).toBe(0);
  // Live again, it starts empty: what it held before it lost the feed is gone.
  c.setLive(true);
  await c.get('cus_1', 'state', load);
  expect(load).toHaveBeenCalledTimes(4);

  const off = cache(0);
  await off.get('cus_1', 'state', load);
  await off.get('cus_1', 'state', load);
  expect(load).toHaveBeenCalledTimes(6);
});

test('a read running when the feed is lost is not kept', async () => {
  const c = cache();
  const g = gated('old');
  const pending = c.get('cus_1', 'state', g.load);
  c.setLive(false);
  c.setLive(true);
  g.release();
  await pending;
  const load = loader('new');
  expect(await c.get('cus_1', 'state', load)).toBe('new');
});

test('the least recently used customer goes first when full', async () => {
  const c = cache(1000, 2);
  const loads = { a: loader('a'), b: loader('b'), c: loader('c') };
  await c.get('cus_a', 'state', loads.a);
  await c.get('cus_b', 'state', loads.b);
  await c.get('cus_a', 'state', loads.a); // a is now the most recent
  await c.get('cus_c', 'state', loads.c); // b goes
  expect(c.size).toBe(2);
  await c.get('cus_a', 'state', loads.a);
  await c.get('cus_b', 'state', loads.b);
  expect(loads.a).toHaveBeenCalledTimes(1);
  expect(loads.b).toHaveBeenCalledTimes(2);
});

test('the two parts of a customer are loaded apart and expire with the older', async () => {
  const c = cache(1000);
  const state = loader('s');
  const features = jest.fn(async () => new Set(['sso']));
  await c.get('cus_1', 'state', state);
  clock = 500;
  expect([...(await c.get('cus_1', 'features', features))]).toEqual(['sso']);
  await c.get('cus_1', 'features', features);
  expect(features).toHaveBeenCalledTimes(1);
  clock = 1000;
  await c.get('cus_1', 'features', features);
  await c.get('cus_1', 'state', state);
  expect(features).toHaveBeenCalledTimes(2);
  expect(state).toHaveBeenCalledTimes(2);
});

test('feed entries: parsed, and a gap is any number that does not follow the last', () => {
  expect(parseFeedEntry(['n', '7', 'c', 'cus_a,cus_b'])).toEqual({ n: 7, customers: ['cus_a', 'cus_b'] });
  expect(feedGap(null, 42)).toBe(false);
  expect(feedGap(6, 7)).toBe(false);
  expect(feedGap(6, 8)).toBe(true);
  expect(feedGap(6, 1)).toBe(true);
});
