/** Section 5 of BENCHMARKS.md: the Redis Cluster runs against the single Redis. */
import type { ClusterResult } from './cluster';
import { f } from './format';

/** Section 5; `npm run bench -- --only=cluster` rewrites just this part of BENCHMARKS.md. */
export function clusterSection(c: ClusterResult, scale: string): string[] {
  const row = (what: string, s: ClusterResult['single']) =>
    `| ${what} | ${f(s.ingestRps)} | ${f(s.ingestP99, 1)} | ${f(s.eventsPerSec)} | ${f(s.ceilingTxPerSec)} | ${f(s.endToEndRatio, 3)} | ${s.non2xx} |`;
  return [
    CLUSTER_HEADING,
    '',
    `Scale **${scale}**: the same ingest peak run and end-to-end run as above (one api, one worker process), each in a fresh`,
    `database: on the single Redis with 1 and with ${c.partitions} partitions, and on a local Redis Cluster of ${c.masters} masters`,
    `(\`redis-cli --cluster create\`, no replicas, same box) with EVENT_QUEUE_PARTITIONS=${c.partitions}.`,
    ...(c.rounds > 1
      ? [`Each setup ran ${c.rounds} times, interleaved (A B C C B A); each figure is the better of its runs.`]
      : []),
    '',
    '| Redis | ingest req/s | ingest p99 ms | end-to-end events/s | ceiling tx/s | end to end / ceiling | non-2xx + failed jobs |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('single', c.single),
    row(`single, ${c.partitions} partitions`, c.singlePartitioned),
    row(`cluster, ${c.masters} masters`, c.cluster),
    '',
    `Cluster / single: ingest **${f(c.ingestRatio, 3)}**, end to end **${f(c.endToEndRatio, 3)}**. Keys per master afterwards: ${c.keysPerMaster.map((k) => f(k)).join(', ')}.`,
    'On one 2-core box the cluster is not expected to be faster: three Redis processes share the cores with the load',
    'generator, the service and PostgreSQL. The row with partitions on the single Redis separates the cost of the partitions',
    "(the api batches each partition's enqueues on its own: one `addBulk` and one `ZMSCORE` per partition) from that of the",
    'cluster client. On this shared machine (load average',
    `${c.loadAverage.map((l) => f(l, 1)).join(' / ')} at the end of the run) repeated runs of one setup differed by up to 40 %, so read the`,
    'ratios as rough; a real cluster gives each master its own cores.',
    '',
  ];
}

export const CLUSTER_HEADING = '## 5. Redis Cluster';
