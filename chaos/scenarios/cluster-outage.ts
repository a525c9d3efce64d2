/**
 * Scenario 8, part B: one master of the cluster shut down (SHUTDOWN NOSAVE) and restarted from its
 * nodes file while lifecycles arrive. Which Stripe event partitions live on that master is read
 * from the cluster, and probes are sent on purpose: one customer per such partition, whose events
 * are delivered to both apis once the master is gone (each must be answered 503 within the enqueue
 * timeout) and again once the cluster is ok (each api must accept them; the scenario then checks
 * each was applied exactly once). Which deliveries the outage caught is logged and reported.
 */
import type Stripe from 'stripe';
import { DEFAULT_ENQUEUE_TIMEOUT_MS } from '../../src/api/webhooks';
import { keySlot } from '../../src/lib/cluster-slot';
import { eventPartitionKey, partitionOf } from '../../src/queues/partitions';
import type { StripeEvent } from '../../src/queues/stripe-event';
import { customer, event } from '../../stand-in/events';
import type { RedisCluster } from '../../test/support/redis-cluster';
import { Attempt, Deliverer, keepAliveAgent, paced, post } from '../delivery';
import { sleep, waitFor } from '../../src/lib/wait';
import { publishTruth } from '../scenario';
import type { Stack } from '../stack';
import { workerOutcomes } from '../verify';
import { truthOf, World } from '../world';

/** A stream answer slower than this during the outage breaks "503 within a few seconds". */
const SLOW_MS = 6000;
/** A probe's 503 may take the enqueue timeout, plus a second of HTTP on a busy 2-core box. */
export const PROBE_ANSWER_MS = DEFAULT_ENQUEUE_TIMEOUT_MS + 1000;
/** Once the cluster is ok again, each api must accept the probes within this. */
const RECOVERY_MS = 30_000;

export interface MasterOutage {
  stack: Stack;
  cluster: RedisCluster;
  victim: number;
  outageMs: number;
  /** The lifecycles delivered (once each, alternating apis) over three outage lengths. */
  events: readonly Stripe.Event[];
  deliverers: Deliverer[];
  /** Unix second of the probes' `created`. */
  start: number;
  log(message: string): void;
}

export interface MasterOutageResult {
  /** Stream events answered 200 on their one delivery. */
  accepted: Set<string>;
  /** The probe customers' events and truth (to verify with the rest). */
  probes: World;
  /** Fast 503s while the master was gone (stream and probes). */
  unavailable: number;
  wrong: number;
  details: Record<string, unknown>;
}

const partitionOfEvent = (e: Stripe.Event, count: number) =>
  partitionOf(eventPartitionKey(e as unknown as StripeEvent), count);

const statusCounts = (attempts: readonly Attempt[]) => {
  const counts: Record<string, number> = {};
  for (const a of attempts) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
};

/** The partitions whose queue slot master `victim` serves, read from the cluster itself. */
async function partitionsOn(
  stack: Stack,
  cluster: RedisCluster,
  victim: number,
): Promise<{ ranges: Array<[number, number]>; partitions: number[]; slots: number[] }> {
  const ranges = await cluster.slotRanges(victim);
  const slots = stack.eventQueueNames.map((name) => keySlot(`${stack.prefix}:${name}:wait`));
  const partitions = slots.flatMap((slot, p) => (ranges.some(([from, to]) => slot >= from && slot <= to) ? [p] : []));
  return { ranges, partitions, slots };
}

/** One customer per partition (ids drawn until one lands there): created, then renamed a second later. */
function probeWorld(partitions: readonly number[], count: number, start: number): World {
  const events = partitions.flatMap((p) => {
    let c = customer({ created: start });
    while (partitionOf(c.id, count) !== p) c = customer({ created: start });
    return [
      event('customer.created', c, { created: start }),
      event('customer.updated', { ...c, name: `Probe of partition ${p}` }, { created: start + 1 }),
    ];
  });
  const customers = events
    .filter((e) => e.type === 'customer.created')
    .map((e) => (e.data.object as Stripe.Customer).id);
  return { events, customers, truth: truthOf(events) };
}

/** Delivers every probe event to every api (each api is one Stripe endpoint): all at once, or in order. */
async function deliverProbes(
  probes: World,
  deliverers: Deliverer[],
  inOrder: boolean,
  deliver: (d: Deliverer, e: Stripe.Event) => Promise<unknown>,
): Promise<void> {
  await Promise.all(
    deliverers.map(async (d) => {
      if (!inOrder) await Promise.all(probes.events.map((e) => deliver(d, e)));
      else for (const e of probes.events) await deliver(d, e);
    }),
  );
}

export async function masterOutage(o: MasterOutage): Promise<MasterOutageResult> {
  const { stack, cluster, victim, outageMs, deliverers } = o;
  const count = stack.eventQueueNames.length;
  const onVictim = await partitionsOn(stack, cluster, victim);
  const probes = probeWorld(onVictim.partitions, count, o.start);
  publishTruth(stack, probes);
  o.log(
    `master ${victim} serves slots ${onVictim.ranges.map(([a, b]) => `${a}-${b}`).join(', ')}: partitions ${onVictim.partitions.join(', ') || 'none'} ` +
      `(queue slots ${onVictim.slots.join(', ')}); probes ${probes.customers.join(', ')}`,
  );
  const t = { from: 0, down: 0, up: 0, to: 0, ok: 0, readyz: 0, recovered: [] as boolean[] };
  const accepted = new Set<string>();
  const windowMs = outageMs * 3;
  const readyAgent = keepAliveAgent(1);
  await Promise.all([
    paced(o.events, (o.events.length * 1000) / windowMs, 24, async (e, i) => {
      if ((await deliverers[i % deliverers.length].once(e)) === 200) accepted.add(e.id);
    }),
    sleep(windowMs / 3).then(async () => {
      t.from = Date.now();
      await cluster.shutdown(victim);
      t.down = Date.now();
      // /readyz must notice the missing master; the probes must be refused while it is gone.
      const [readyz] = await Promise.all([
        post(readyAgent, `${stack.apiUrl}/readyz`, '', {}, 10_000, 'GET'),
        deliverProbes(probes, deliverers, false, (d, e) => d.once(e)),
      ]);
      t.readyz = readyz.status;
      await sleep(Math.max(0, outageMs - (Date.now() - t.from)));
      t.up = Date.now();
      await cluster.restart(victim);
      t.to = Date.now();
      await waitFor(() => cluster.healthy(), 30_000, 'the cluster to be ok again', 100);
      t.ok = Date.now();
      // Stripe's retries of the probes: every api must take them again now the master is back.
      await deliverProbes(probes, deliverers, true, async (d, e) =>
        t.recovered.push(await d.untilAccepted(e, t.ok + RECOVERY_MS, 1000)),
      );
    }),
  ]);
  readyAgent.destroy();
  return judge(o, { ...t, probes, accepted, partitions: onVictim.partitions });
}

interface Timeline {
  from: number;
  down: number;
  up: number;
  to: number;
  ok: number;
  readyz: number;
  recovered: boolean[];
  probes: World;
  accepted: Set<string>;
  partitions: number[];
}

/** What the outage showed: every probe refused fast while the master was gone and accepted after, no 2xx from a gone master. */
function judge(o: MasterOutage, t: Timeline): MasterOutageResult {
  const count = o.stack.eventQueueNames.length;
  const events = new Map([...o.events, ...t.probes.events].map((e) => [e.id, e]));
  const isProbe = new Set(t.probes.events.map((e) => e.id));
  const attempts = o.deliverers.flatMap((d) => d.attempts);
  const onVictim = (a: Attempt) => t.partitions.includes(partitionOfEvent(events.get(a.eventId)!, count));
  // Sent and answered while the master was gone (no 2xx possible on its partitions); `up` may fall
  // in the millisecond of the last probe's answer.
  const whileGone = attempts.filter((a) => a.at >= t.down && a.at + a.ms <= t.up);
  const probeAnswers = attempts.filter((a) => isProbe.has(a.eventId) && a.at < t.up);
  const probeProblems = [
    ...(t.partitions.length === 0 ? [`master ${o.victim} serves no Stripe event partition`] : []),
    ...(probeAnswers.length < t.probes.events.length * o.deliverers.length
      ? [`${probeAnswers.length} probe answers while the master was gone`]
      : []),
    ...probeAnswers
      .filter((a) => a.status !== 503 || a.ms > PROBE_ANSWER_MS || !whileGone.includes(a))
      .map(
        (a) =>
          `probe ${a.eventId}: ${a.status}${a.error ? ` ${a.error}` : ''} after ${a.ms} ms (sent ${a.at - t.down} ms after the master was gone, answered ${t.up - a.at - a.ms} ms before it came back)`,
      ),
    ...(t.recovered.every(Boolean) && t.recovered.length > 0
      ? []
      : [`the apis did not accept the probes within ${RECOVERY_MS / 1000} s of the cluster being ok`]),
  ];
  const acceptedWhileGone = whileGone
    .filter((a) => a.status >= 200 && a.status < 300 && onVictim(a))
    .map((a) => a.eventId);
  // Anything sent in the outage (start time) that was not a fast answer.
  const duringOutage = attempts.filter((a) => a.at >= t.from && a.at < t.to);
  const slow = duringOutage.filter((a) => a.status === 0 || a.ms > SLOW_MS);
  const stream = whileGone.filter((a) => !isProbe.has(a.eventId));
  const recoveredMs = Math.max(
    0,
    ...attempts.filter((a) => isProbe.has(a.eventId) && a.status === 200).map((a) => a.at + a.ms - t.ok),
  );
  const maxProbeMs = Math.max(0, ...probeAnswers.map((a) => a.ms));
  o.log(
    `master ${o.victim} gone ${((t.up - t.down) / 1000).toFixed(1)} s: probes ${JSON.stringify(statusCounts(probeAnswers))} (slowest ${maxProbeMs} ms); ` +
      `stream on partitions ${t.partitions.join(', ')} ${JSON.stringify(statusCounts(stream.filter(onVictim)))}, elsewhere ${JSON.stringify(statusCounts(stream.filter((a) => !onVictim(a))))}; ` +
      `/readyz ${t.readyz}; probes accepted again ${(recoveredMs / 1000).toFixed(1)} s after the cluster was ok`,
  );
  return {
    accepted: t.accepted,
    probes: t.probes,
    unavailable: duringOutage.filter((a) => a.status === 503).length,
    wrong: probeProblems.length + acceptedWhileGone.length + slow.length + (t.readyz === 503 ? 0 : 1),
    details: {
      victimPartitions: t.partitions,
      probeCustomers: t.probes.customers,
      probeAnswersWhileGone: statusCounts(probeAnswers),
      slowestProbeAnswerMs: maxProbeMs,
      probeProblems,
      probesAcceptedAfterMs: recoveredMs,
      masterGoneMs: t.up - t.down,
      streamWhileGone: {
        victimPartitions: statusCounts(stream.filter(onVictim)),
        otherPartitions: statusCounts(stream.filter((a) => !onVictim(a))),
      },
      acceptedWhileGone: acceptedWhileGone.slice(0, 10),
      answersDuringOutage: duringOutage.length,
      hungOrSlowAnswers: slow.length,
      hungOrSlowExamples: slow.slice(0, 5),
      readyzDuringOutage: t.readyz,
    },
  };
}

/** Probe events not applied exactly once (by the workers' logged outcomes). */
export function probesNotAppliedOnce(stack: Stack, probes: World): string[] {
  const { applied } = workerOutcomes(stack.allLogFiles('worker'));
  return probes.events
    .filter((e) => applied.get(e.id) !== 1)
    .map((e) => `${e.id}: applied ${applied.get(e.id) ?? 0} times`);
}
