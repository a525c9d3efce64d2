import { morePruneBatches, pruneCutoff } from '../../src/ops/prune';

test("the cutoff is the retention before now, in Stripe's unix seconds", () => {
  expect(pruneCutoff(1_800_000_000_500, 45)).toBe(1_800_000_000 - 45 * 86_400);
});

test('batches continue only after a full one, and a run stops at its cap', () => {
  expect(morePruneBatches(5000, 5000, 1)).toBe(true);
  expect(morePruneBatches(4999, 5000, 1)).toBe(false);
  expect(morePruneBatches(0, 5000, 1)).toBe(false);
  expect(morePruneBatches(5000, 5000, 5000)).toBe(false);
});
