/** Section 3c of BENCHMARKS.md: the usage query next to a busy shard (bench/usage-query.ts). */
import { f } from './format';
import type { QueryTiming, UsageQueryResult } from './usage-query';

export const USAGE_QUERY_HEADING = '### 3c. Usage query next to a busy shard';

/** The section; `npm run bench -- --only=usage-query` rewrites just this part of BENCHMARKS.md. */
export function usageQuerySection(q: UsageQueryResult, scale: string): string[] {
  const row = (what: string, t: QueryTiming) =>
    `| ${what} | ${f(t.queries)} | ${f(t.p50Ms, 2)} | ${f(t.p99Ms, 2)} | ${f(t.maxMs, 2)} | ${f(t.medianCommandUs)} | ${f(t.slowestCommandUs)} (${t.slowestCommand}) |`;
  return [
    USAGE_QUERY_HEADING,
    '',
    `Scale **${scale}**: \`GET /v1/customers/:id/usage\`'s query (its Redis script and its ledger SELECT, in-process) for a`,
    `customer with ${f(q.targetCells)} pending cells, while **${f(q.otherCells)} pending cells of other customers** sit in the same`,
    `shard (counted through the record script in ${f(q.fillSeconds, 1)} s, as the client and \`POST /v1/usage\` count). Queries one`,
    "after another; Redis's slowest command from SLOWLOG (threshold 0 for the run, this run's connection only).",
    '',
    '| query | queries | p50 ms | p99 ms | max ms | median Redis command, µs | slowest Redis command, µs |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row("with the index: the customer's range only", q.indexed),
    row('without it (before issue 23; still so for counters a raw HINCRBY created)', q.unindexed),
    '',
    `The index costs ${f(q.indexBytesPerCell)} bytes of Redis per pending cell (MEMORY USAGE), beside ${f(q.hashBytesPerCell)} for the cell`,
    'itself in the pending hash. Without it, one query held Redis (single-threaded: webhooks and usage writes wait) for',
    "the whole hash; with it, the cost is the customer's own cells (plus the logarithm of the shard's in the index).",
    '',
  ];
}
