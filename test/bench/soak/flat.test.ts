import { judgeFlat, leastSquaresSlope, Point } from '../../../bench/soak/flat';
import { DEFAULT_FLAGS, parseFlags } from '../../../bench/soak/main';

const series = (f: (t: number) => number, seconds = 100, every = 5): Point[] =>
  Array.from({ length: seconds / every + 1 }, (_, i) => ({ t: i * every, value: f(i * every) }));
const rule = { warmupFraction: 0.3, tolerance: 0.1, floor: 1 };

test('the least-squares slope of a line is its slope, and 0 for a single point', () => {
  expect(leastSquaresSlope(series((t) => 3 + 2 * t))).toBeCloseTo(2);
  expect(leastSquaresSlope([{ t: 1, value: 5 }])).toBe(0);
});

test('a level series with noise and a steep warm-up is flat', () => {
  const v = judgeFlat(
    series((t) => (t < 30 ? t * 10 : 300 + ((t / 5) % 2 === 0 ? 8 : -8))),
    100,
    rule,
  );
  expect(v.flat).toBe(true);
  expect(Math.abs(v.mean - 300)).toBeLessThan(1);
});

test('a slow steady leak after warm-up is not flat, however small each step', () => {
  // +0.5 per second on ~300: 35 over the 70 s after warm-up, 11 % of the mean.
  const v = judgeFlat(
    series((t) => 280 + 0.5 * t),
    100,
    rule,
  );
  expect(v.flat).toBe(false);
  expect(v.drift).toBeCloseTo(35);
});

test('a drift under the absolute floor passes; too few samples after warm-up do not', () => {
  expect(
    judgeFlat(
      series((t) => 1 + 0.01 * t),
      100,
      rule,
    ).flat,
  ).toBe(true);
  expect(
    judgeFlat(
      [
        { t: 0, value: 1 },
        { t: 90, value: 1 },
      ],
      100,
      rule,
    ).flat,
  ).toBe(false);
});

test('a falling trend (memory handed back) passes', () => {
  expect(
    judgeFlat(
      series((t) => 400 - 2 * t),
      100,
      rule,
    ).flat,
  ).toBe(true);
});

test('soak flags: defaults, overrides, and a clear error for anything else', () => {
  expect(parseFlags([])).toEqual(DEFAULT_FLAGS);
  expect(parseFlags(['--minutes=0.5', '--events-per-second=5', '--usage-per-second=0'])).toMatchObject({
    minutes: 0.5,
    eventsPerSecond: 5,
    usagePerSecond: 0,
  });
  expect(() => parseFlags(['--minutes=0'])).toThrow(/bad flag --minutes=0/);
  expect(() => parseFlags(['--speed=3'])).toThrow(/--events-per-second=<number>/);
});
