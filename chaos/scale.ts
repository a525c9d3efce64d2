/**
 * Sizes of every scenario. `full` is issue 6 as written; `ci` is the shortened run inside
 * `npm test`; CHAOS_SCALE=<fraction> (e.g. 0.1) scales the full sizes down.
 */
export interface Scale {
  name: string;
  duplicates: { events: number; copies: number };
  reordering: { customers: number; lateFraction: number };
  crashes: { events: number; kills: number };
  redisOutage: { events: number; outageMs: number };
  postgresOutage: { events: number; outageMs: number };
  usage: { increments: number; pairs: number; kills: number; faultRate: number };
  hostile: { requests: number };
  /** Scenario 8: events delivered before and during the master restart, usage events, outage length. */
  cluster: { events: number; usageEvents: number; outageMs: number };
  /** Scenario 9: usage increments and pairs; the share of meter events Stripe loses; customers it refuses. */
  confirmation: { increments: number; pairs: number; lossRate: number; refused: number };
}

export const FULL: Scale = {
  name: 'full',
  duplicates: { events: 10_000, copies: 3 },
  reordering: { customers: 1_000, lateFraction: 0.1 },
  crashes: { events: 10_000, kills: 5 },
  redisOutage: { events: 6_000, outageMs: 10_000 },
  postgresOutage: { events: 6_000, outageMs: 10_000 },
  usage: { increments: 1_000_000, pairs: 10_000, kills: 3, faultRate: 0.1 },
  hostile: { requests: 10_000 },
  cluster: { events: 6_000, usageEvents: 50_000, outageMs: 5_000 },
  confirmation: { increments: 200_000, pairs: 2_000, lossRate: 0.1, refused: 3 },
};

export const CI: Scale = {
  name: 'ci',
  duplicates: { events: 200, copies: 3 },
  reordering: { customers: 25, lateFraction: 0.1 },
  crashes: { events: 300, kills: 1 },
  redisOutage: { events: 200, outageMs: 3_000 },
  postgresOutage: { events: 200, outageMs: 3_000 },
  usage: { increments: 20_000, pairs: 200, kills: 1, faultRate: 0.1 },
  hostile: { requests: 400 },
  cluster: { events: 300, usageEvents: 3_000, outageMs: 3_000 },
  confirmation: { increments: 3_000, pairs: 100, lossRate: 0.1, refused: 3 },
};

export function scaleFromEnv(value: string | undefined): Scale {
  if (!value || value === 'full') return FULL;
  if (value === 'ci') return CI;
  const f = Number(value);
  if (!(f > 0 && f <= 1)) throw new Error(`CHAOS_SCALE must be full, ci or a fraction in (0, 1], got ${value}`);
  const n = (x: number, min: number) => Math.max(min, Math.round(x * f));
  return {
    name: `x${f}`,
    duplicates: { events: n(FULL.duplicates.events, 50), copies: 3 },
    reordering: { customers: n(FULL.reordering.customers, 10), lateFraction: 0.1 },
    crashes: { events: n(FULL.crashes.events, 100), kills: n(FULL.crashes.kills, 1) },
    redisOutage: { events: n(FULL.redisOutage.events, 100), outageMs: n(FULL.redisOutage.outageMs, 2_000) },
    postgresOutage: { events: n(FULL.postgresOutage.events, 100), outageMs: n(FULL.postgresOutage.outageMs, 2_000) },
    usage: {
      increments: n(FULL.usage.increments, 1_000),
      pairs: n(FULL.usage.pairs, 20),
      kills: n(FULL.usage.kills, 1),
      faultRate: 0.1,
    },
    hostile: { requests: n(FULL.hostile.requests, 100) },
    cluster: {
      events: n(FULL.cluster.events, 100),
      usageEvents: n(FULL.cluster.usageEvents, 1_000),
      outageMs: n(FULL.cluster.outageMs, 2_000),
    },
    confirmation: {
      increments: n(FULL.confirmation.increments, 1_000),
      pairs: n(FULL.confirmation.pairs, 20),
      lossRate: 0.1,
      refused: 3,
    },
  };
}
