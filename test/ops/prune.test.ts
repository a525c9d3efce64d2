import { morePruneBatches, pruneCutoff } from '../../src/ops/prune';
import { ledgerCutoff } from '../../src/ops/usage-prune';

test("the cutoff is the retention before now, in Stripe's unix seconds", () => {
  expect(pruneCutoff(1_800_000_000_500, 45)).toBe(1_800_000_000 - 45 * 86_400);
});

test('batches continue only after a full one, and a run stops at its cap', () => {
  expect(morePruneBatches(5000, 5000, 1)).toBe(true);
  expect(morePruneBatches(4999, 5000, 1)).toBe(false);
  expect(morePruneBatches(0, 5000, 1)).toBe(false);
  expect(morePruneBatches(5000, 5000, 5000)).toBe(false);
});

test('the usage ledger keeps its retention, and never passes the oldest running billing period', () => {
  const now = 1_800_000_000_000;
  expect(ledgerCutoff(now, 400, null)).toBe(1_800_000_000 - 400 * 86_400);
  expect(ledgerCutoff(now, 35, 1_800_000_000 - 366 * 86_400)).toBe(1_800_000_000 - 366 * 86_400);
  expect(ledgerCutoff(now, 400, 1_800_000_000 - 30 * 86_400)).toBe(1_800_000_000 - 400 * 86_400);
});
