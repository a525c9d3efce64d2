/** The usage rows of BENCHMARKS.md: counting paths against raw INCR, the drain, drain memory and ids. */
import { f } from './format';
import type { UsageResult } from './usage';
import type { UsageMemoryResult } from './usage-memory';

export function usageSection(u: UsageResult): string[] {
  return [
    '| path | increments | seconds | increments/s | vs raw INCR |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| raw INCR from Node, pipelines of ${u.rawIncr.pipeline}, 50 at once (ceiling) | ${f(u.rawIncr.count)} | ${f(u.rawIncr.seconds, 2)} | ${f(u.rawIncr.perSec)} | 1.000 |`,
    `| TypeScript client, one event per call, 50 at once | ${f(u.client.count)} | ${f(u.client.seconds, 2)} | ${f(u.client.perSec)} | ${f(u.client.perSec / u.rawIncr.perSec, 3)} |`,
    ...(u.clientWithIds
      ? [
          `| the same, each event with an id | ${f(u.clientWithIds.count)} | ${f(u.clientWithIds.seconds, 2)} | ${f(u.clientWithIds.perSec)} | ${f(u.clientWithIds.perSec / u.rawIncr.perSec, 3)} |`,
        ]
      : []),
    `| \`POST /v1/usage\`, ${u.http.eventsPerRequest} events per request | ${f(u.http.count)} | ${f(u.http.seconds, 2)} | ${f(u.http.perSec)} | ${f(u.http.perSec / u.rawIncr.perSec, 3)} |`,
    `| \`POST /v1/usage\`, one event per request | ${f(u.httpSingle.count)} | ${f(u.httpSingle.seconds, 2)} | ${f(u.httpSingle.perSec)} | ${f(u.httpSingle.perSec / u.rawIncr.perSec, 3)} |`,
    '',
    ...(u.roundRatios
      ? [
          `Raw INCR and the client each ran one round untimed first, then ${u.roundRatios.length} alternating rounds; the rows are the median round (client / raw INCR by round: ${u.roundRatios.map((x) => f(x, 3)).join(', ')}).`,
          '',
        ]
      : []),
    `Drain of ${f(u.drain.pairs)} (customer, meter) pairs: **${f(u.drain.requests)} Stripe requests** (⌈pairs/100⌉ = ${f(u.drain.expectedRequests)}) in **${f(u.drain.seconds, 2)} s**; ${f(u.drain.eventsAccepted)} meter events accepted`,
    `(worker with STRIPE_METER_RATE_LIMIT_PER_SECOND=${u.drain.rateLimitPerSecond}, Stripe's live v2 limit; the default 20/s would make it ≈ ${f(u.drain.requests / 20)} s).`,
  ];
}

export const DRAIN_MEMORY_HEADING = '### Drain memory and event ids';

export function usageMemorySection(m: UsageMemoryResult): string[] {
  const d = m.drain;
  const perDay = (m.ids.usedMemoryBytesPerId * 1000 * 86_400) / 2 ** 30;
  return [
    DRAIN_MEMORY_HEADING,
    '',
    `Drain of **${f(d.pairs)} (customer, meter) pairs** by a worker-role process: **peak RSS ${f(d.workerPeakRssMb)} MB** (goal ≤ 200; ${f(d.workerRssBeforeMb)} MB before the drain),`,
    `${f(d.requests)} Stripe requests in ${f(d.seconds, 1)} s. The claim is read with HSCAN, ${'1,000'} fields a page, and sent in batches shared across shards.`,
    '',
    `One usage event id costs **${f(m.ids.usedMemoryBytesPerId)} bytes** of Redis (INFO used_memory over ${f(m.ids.count)} ids; MEMORY USAGE of one id key: ${f(m.ids.memoryUsageBytesPerKey)} bytes, without its expiry entry).`,
    `At 1,000 events/s with ids and USAGE_DEDUPE_SECONDS=86400 that is ≈ ${f(perDay, 1)} GiB held at all times.`,
    '',
  ];
}
