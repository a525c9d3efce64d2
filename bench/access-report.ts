/** Section 6 of BENCHMARKS.md: the access API against its ceiling. */
import type { AccessBenchResult } from './access';
import { f } from './format';

export const ACCESS_HEADING = '## 6. Access API (`GET /v1/customers/:id/access`)';

export function accessSection(a: AccessBenchResult, scale: string): string[] {
  const row = (what: string, l: AccessBenchResult['service']) =>
    `| ${what} | ${f(l.requests)} | ${f(l.rps)} | ${f(l.p50, 1)} | ${f(l.p99, 1)} | ${l.non2xx} |`;
  return [
    ACCESS_HEADING,
    '',
    `${f(a.customers)} customers, requests spread over all of them, autocannon ${scale === 'full' ? 32 : 8} connections. The service`,
    'answers behind bearer auth from its in-memory cache (each customer read once from customer_access, then kept until',
    'the access change feed drops it); the ceiling is a bare Koa route answering the same JSON from a Map, in its own process.',
    '',
    '| route | requests | req/s | p50 ms | p99 ms | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('bare Koa route, answers in memory (ceiling)', a.ceiling),
    row('service, peak', a.service),
    row(`service, half rate (${f(a.halfRate.targetRps)} req/s)`, a.halfRate),
    '',
    `Ratio: **${f(a.ratio, 3)}** (goal ≥ 0.5); p99 at half peak **${f(a.halfRate.p99, 1)} ms** (goal ≤ 10). ${a.checked} answers checked, ${a.wrong} wrong;`,
    `then ${a.changed} customers' answers changed (row and feed, as the worker does) and asked at once: ${a.stale} still answered the old value.`,
    '',
  ];
}
