/** How the console writes times, ages and amounts. */
import { formatAge, formatAmount, formatDate, formatTime } from '../../src/admin/format';

test('times in UTC, dates, unknowns', () => {
  expect(formatTime(1_767_225_600)).toBe('2026-01-01 00:00:00 UTC');
  expect(formatTime(new Date('2026-01-31T12:00:05Z'))).toBe('2026-01-31 12:00:05 UTC');
  expect(formatTime(null)).toBe('—');
  expect(formatDate(1_767_225_600)).toBe('2026-01-01');
  expect(formatDate(undefined)).toBe('—');
});

test.each([
  [0, '0 s'],
  [45_000, '45 s'],
  [725_000, '12 min 5 s'],
  [12_000_000, '3 h 20 min'],
  [187_200_000, '2 d 4 h'],
  [-5, '0 s'],
])('age %d ms → %s', (ms, text) => expect(formatAge(ms)).toBe(text));

test('amounts in the minor unit, zero-decimal currencies as they are', () => {
  expect(formatAmount(1900, 'eur')).toBe('19.00 EUR');
  expect(formatAmount('5', 'usd')).toBe('0.05 USD');
  expect(formatAmount(500, 'jpy')).toBe('500 JPY');
  expect(formatAmount(null, 'usd')).toBe('—');
  expect(formatAmount(12, null)).toBe('12');
});
