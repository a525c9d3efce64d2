/** Flow C's decisions, pure: when an hour is compared, its outcome, what a fix sends, what the usage route reports. */
import {
  fixTimestamp,
  fixUnits,
  HOUR,
  isSettled,
  outcomeOf,
  routeTotals,
  type StoredOutcome,
} from '../../src/usage/reconcile-compare';

const now = 1_800_000_000;
const hour = now - (now % HOUR) - 5 * HOUR;
const DAY = 86_400;

describe('isSettled', () => {
  const cell = { hour, lastSent: hour + 10, unsent: false };
  test('the hour ended and its last event reached Stripe more than the settle time ago', () => {
    expect(isSettled(cell, now, 0)).toBe(true);
    expect(isSettled(cell, now, 4 * HOUR - (now % HOUR))).toBe(true);
    expect(isSettled(cell, now, 5 * HOUR)).toBe(false);
  });
  test('a late ledger row or a recent fix keeps it open for the settle time', () => {
    expect(isSettled({ ...cell, lastSent: now - 60 }, now, 7200)).toBe(false);
    expect(isSettled({ ...cell, lastSent: now - 7200 }, now, 7200)).toBe(true);
  });
  test('an unsent fix keeps it open; the current hour never settles', () => {
    expect(isSettled({ ...cell, unsent: true }, now, 0)).toBe(false);
    expect(isSettled({ hour: now - (now % HOUR), lastSent: 0, unsent: false }, now, 0)).toBe(false);
  });
});

describe('outcomeOf', () => {
  const c = { hour, ledger: 100n, marked: 0n };
  test.each([
    [100n, 0n, 'confirmed'],
    [130n, 0n, 'excess'],
    [60n, 0n, 'missing'],
    [60n, 5n, 'rejected'],
  ] as const)('Stripe %s with %s refused units → %s', (stripe, marked, outcome) => {
    expect(outcomeOf({ ...c, marked }, stripe, now)).toBe(outcome);
  });
  test('short of Stripe and past its 35 days: expired (refused units or not)', () => {
    const old = { ...c, hour: hour - 35 * DAY, marked: 5n };
    expect(outcomeOf(old, 0n, now)).toBe('expired');
    expect(outcomeOf(old, 100n, now)).toBe('confirmed');
  });
});

test('a fix is stamped inside its hour, as early as Stripe takes; none past 35 days', () => {
  expect(fixTimestamp(hour, now, [])).toBe(hour);
  const edge = now - 35 * DAY + 600;
  const edgeHour = edge - (edge % HOUR);
  expect(fixTimestamp(edgeHour, now, [])).toBe(edge);
  expect(fixTimestamp(edgeHour - HOUR, now, [])).toBeUndefined();
  expect(fixTimestamp(edgeHour - HOUR, now, [edgeHour - 60])).toBeUndefined();
});

test('a fix for the hour a subscription started in is stamped at that start (as the drain stamps it)', () => {
  expect(fixTimestamp(hour, now, [hour + 1980])).toBe(hour + 1980);
  expect(fixTimestamp(hour, now, [hour - 60, hour + HOUR])).toBe(hour);
});

test('fixes send what Stripe lacks for missing and rejected hours only', () => {
  expect(fixUnits('missing', 100n, 60n)).toBe(40n);
  expect(fixUnits('rejected', 100n, 0n)).toBe(100n);
  for (const o of ['confirmed', 'excess', 'expired'] as const) expect(fixUnits(o, 100n, 60n)).toBe(0n);
});

describe('routeTotals', () => {
  const stored = (outcome: StoredOutcome['outcome'], ledger: bigint, stripe: bigint): StoredOutcome => ({
    outcome,
    ledger,
    stripe,
  });
  test('not compared yet: nothing confirmed, refused units from thin events (at most the units)', () => {
    expect(routeTotals(100n, 100n, 30n, undefined)).toEqual({ confirmed: 0n, rejected: 30n });
    expect(routeTotals(100n, 100n, 250n, undefined)).toEqual({ confirmed: 100n - 100n, rejected: 100n });
  });
  test('compared: confirmed is what Stripe has; a rejected hour reports its whole gap', () => {
    expect(routeTotals(100n, 100n, 0n, stored('confirmed', 100n, 100n))).toEqual({ confirmed: 100n, rejected: 0n });
    expect(routeTotals(100n, 100n, 10n, stored('rejected', 100n, 60n))).toEqual({ confirmed: 60n, rejected: 40n });
    expect(routeTotals(100n, 100n, 0n, stored('missing', 100n, 60n))).toEqual({ confirmed: 60n, rejected: 0n });
    expect(routeTotals(100n, 100n, 0n, stored('excess', 100n, 130n))).toEqual({ confirmed: 100n, rejected: 0n });
  });
  test('rows written since the comparison: its Stripe units still count, its verdict does not', () => {
    expect(routeTotals(150n, 150n, 0n, stored('rejected', 100n, 60n))).toEqual({ confirmed: 60n, rejected: 0n });
    expect(routeTotals(150n, 150n, 0n, stored('confirmed', 100n, 100n))).toEqual({ confirmed: 100n, rejected: 0n });
  });
  test('an hour cut by the range: the gap is taken first, nothing is overstated', () => {
    expect(routeTotals(100n, 30n, 0n, stored('missing', 100n, 80n))).toEqual({ confirmed: 10n, rejected: 0n });
    expect(routeTotals(100n, 30n, 50n, stored('rejected', 100n, 50n))).toEqual({ confirmed: 0n, rejected: 30n });
  });
});
