/**
 * When is a series "flat"? After warm-up (the first `warmupFraction` of the run), fit a
 * least-squares line through the remaining samples and extrapolate it over that remaining span:
 * the growth it predicts must stay within `tolerance` of the series' mean there, or under an
 * absolute floor (a few pages of a tiny table, a few MB of a process' heap are noise, not a trend).
 * A falling trend passes: memory handed back (a heap shrinking after a collection) bounds nothing.
 * A leak shows as a steady slope whatever the noise; garbage collection, vacuum and job trimming
 * only scatter the points around a level line.
 */
export interface FlatRule {
  /** Share of the run, from the start, left out as warm-up (0.3 = the first 30 %). */
  warmupFraction: number;
  /** Largest drift allowed over the rest of the run, relative to the mean there. */
  tolerance: number;
  /** Drift always allowed, in the series' own unit. */
  floor: number;
}

export interface Point {
  /** Seconds since the start of the run. */
  t: number;
  value: number;
}

export interface FlatVerdict {
  flat: boolean;
  /** Mean after warm-up. */
  mean: number;
  /** Least-squares slope after warm-up, per second. */
  slopePerSecond: number;
  /** slope × the span after warm-up: how much the trend adds over the rest of the run. */
  drift: number;
  /** |drift| / mean (0 when the mean is 0). */
  relativeDrift: number;
  samples: number;
}

/** Least-squares slope of value over t (0 with fewer than two distinct times). */
export function leastSquaresSlope(points: readonly Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.value, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.value - mv);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Judges one series over a run of `runSeconds`; fewer than 3 samples after warm-up is not flat. */
export function judgeFlat(points: readonly Point[], runSeconds: number, rule: FlatRule): FlatVerdict {
  const from = runSeconds * rule.warmupFraction;
  const steady = points.filter((p) => p.t >= from);
  const mean = steady.length ? steady.reduce((a, p) => a + p.value, 0) / steady.length : 0;
  const slopePerSecond = leastSquaresSlope(steady);
  const drift = slopePerSecond * (runSeconds - from);
  const relativeDrift = mean === 0 ? 0 : Math.abs(drift) / mean;
  const flat = steady.length >= 3 && (drift <= rule.floor || relativeDrift <= rule.tolerance);
  return { flat, mean, slopePerSecond, drift, relativeDrift, samples: steady.length };
}
