/** The doctor's "usage at stripe" line from what reconciliation stored. */
import { formatResult } from '../../../src/ops/doctor/result';
import { usageConfirmationResult } from '../../../src/ops/doctor/usage-confirmation';

test('nothing compared yet, and everything matching, are ok', () => {
  expect(formatResult(usageConfirmationResult({ differing: [], refusedSince: 0, lastCheckedAt: null }))).toMatch(
    /^ok {2}usage at stripe: no usage compared with Stripe yet/,
  );
  expect(formatResult(usageConfirmationResult({ differing: [], refusedSince: 0, lastCheckedAt: 1_800_000_000 }))).toBe(
    'ok  usage at stripe: every hour compared in the last 35 days matches Stripe (last comparison 2027-01-15T08:00:00Z)',
  );
});

test('excess and expired hours say what to do besides --fix', () => {
  const line = formatResult(
    usageConfirmationResult({
      differing: [
        { outcome: 'excess', hours: 2, units: '8', meters: ['api_calls'] },
        { outcome: 'expired', hours: 1, units: '3', meters: ['tokens'] },
      ],
      refusedSince: 0,
      lastCheckedAt: 1_800_000_000,
    }),
  );
  expect(line).toMatch(
    /^FAIL usage at stripe: 3 hour\(s\) of the last 35 days differ from Stripe: 2 excess \(8 units\), 1 expired \(3 units\), meters api_calls, tokens — /,
  );
  expect(line).toContain('something else sent usage for these customers');
  expect(line).toContain("past Stripe's 35 days: bill them by hand");
});
