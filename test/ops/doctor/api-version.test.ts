/** Which API versions the engine reads: ordered by date, the pinned date readable under the pinned name only. */
import { apiVersionDate, apiVersionReading } from '../../../src/ops/doctor/api-version';
import { OLDEST_READ_API_VERSION, STRIPE_API_VERSION } from '../../../src/stripe';
import { API_VERSIONS } from '../../../stand-in/fixtures';

const ENGINE = '2026-10-28.endive';
const OLDEST = '2020-03-02';
const reading = (version: string | null) => apiVersionReading(version, ENGINE, OLDEST);

test('the date of a version is its YYYY-MM-DD prefix, with or without a name', () => {
  expect(['2024-06-20', '2026-10-28.endive', '2025-01-27.acacia; preview=v1'].map(apiVersionDate)).toEqual([
    '2024-06-20',
    '2026-10-28',
    '2025-01-27',
  ]);
  expect(['', 'endive', '2024-6-20', '2024-06-201', 'v2024-06-20'].map(apiVersionDate)).toEqual(
    Array(5).fill(undefined),
  );
});

test('from the oldest date (inclusive) to before the engine date is read, whatever the name', () => {
  expect(['2020-03-02', '2020-08-27', '2024-06-20', '2025-03-31.basil', '2026-10-27.dahlia'].map(reading)).toEqual(
    Array(5).fill('read'),
  );
});

test('before the oldest date, after the engine date, or another name on the engine date is not read', () => {
  expect(reading('2019-12-03')).toBe('too_old');
  expect(reading('2020-03-01')).toBe('too_old');
  expect(reading('2026-10-29.endive')).toBe('too_new');
  expect(reading('2027-01-01.fig')).toBe('too_new');
  // A preview (or any other release) of the engine's date may change what the engine knows of it.
  expect(reading('2026-10-28.preview')).toBe('same_date');
  expect(reading('2026-10-28')).toBe('same_date');
  expect(reading(ENGINE)).toBe('pinned');
});

test('no version (the account default) and an undated value are unknown', () => {
  expect([reading(null), reading('latest'), reading('')]).toEqual(['unknown', 'unknown', 'unknown']);
});

test("the engine's range is the stand-in's: its oldest and newest fixture versions", () => {
  expect([OLDEST_READ_API_VERSION, STRIPE_API_VERSION]).toEqual([API_VERSIONS[0], API_VERSIONS.at(-1)]);
  expect(apiVersionReading(STRIPE_API_VERSION, STRIPE_API_VERSION, OLDEST_READ_API_VERSION)).toBe('pinned');
});
