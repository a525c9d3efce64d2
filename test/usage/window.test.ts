/** The stamping rule of a window's meter event (src/usage/window.ts), pure. */
import { eventTimestamp, usageTime, windowEnd } from '../../src/usage/window';

const now = 1_800_000_000;
const W = 1_799_992_800; // a window start (14:00 in this test's story), two hours before now
const E = windowEnd(W, 3600);

describe('usageTime: where a window’s usage is billed', () => {
  test('no subscription start inside the window: its start', () => {
    expect(usageTime(W, E, [])).toBe(W);
    // Starts before the window, at its start, or at its end (the next window's start) do not move it.
    expect(usageTime(W, E, [W - 1980, W, E])).toBe(W);
  });
  test('a subscription created inside the window (14:33): at that start, inside its first period', () => {
    expect(usageTime(W, E, [W + 1980])).toBe(W + 1980);
  });
  test('several starts inside the window: the latest, inside every period that began there', () => {
    expect(usageTime(W, E, [W + 2400, W + 600, W - 86_400])).toBe(W + 2400);
  });
  test('longer and shorter windows alike: only starts inside [start, end) count', () => {
    expect(usageTime(W, W + 86_400, [W + 50_000])).toBe(W + 50_000);
    expect(usageTime(W, W + 60, [W + 1980])).toBe(W);
  });
});

describe('eventTimestamp: the usage time, unless Stripe would refuse it', () => {
  test('within 35 days: the usage time', () => {
    expect(eventTimestamp(W, E, [], now)).toBe(W);
    expect(eventTimestamp(W, E, [W + 1980], now)).toBe(W + 1980);
  });
  test('older than 35 days: the oldest second Stripe still takes (10 minutes of margin), even past the window', () => {
    const old = now - 35 * 86_400 - 4000;
    expect(eventTimestamp(old, old + 3600, [], now)).toBe(now - 35 * 86_400 + 600);
    expect(eventTimestamp(old, old + 3600, [old + 60], now)).toBe(now - 35 * 86_400 + 600);
  });
  test('the same window, starts and clock give the same timestamp (a re-sent claim repeats it)', () => {
    expect(eventTimestamp(W, E, [W + 1980, W + 60], now)).toBe(eventTimestamp(W, E, [W + 60, W + 1980], now));
  });
});
