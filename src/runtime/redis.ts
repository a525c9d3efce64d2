/**
 * ioredis connections for the two kinds of user: request paths (fail fast) and BullMQ workers,
 * to one Redis (REDIS_URL) or to a Redis Cluster (REDIS_CLUSTER_NODES). Everything that passes a
 * connection around takes a {@link RedisConnection}, whichever it is.
 */
import { Cluster, Redis, RedisOptions } from 'ioredis';
import { CLUSTER_SLOTS } from '../lib/cluster-slot';
import { maskUrl } from '../lib/mask-url';

export type RedisConnection = Redis | Cluster;

export interface ClusterNode {
  host: string;
  port: number;
}

/** Where Redis is: one server, or any masters of a cluster (the client discovers the rest). */
export type RedisTarget = { url: string } | { clusterNodes: readonly ClusterNode[] };

/** The target named by the configuration: the cluster when REDIS_CLUSTER_NODES is set, else REDIS_URL. */
export function redisTarget(config: { REDIS_URL: string; REDIS_CLUSTER_NODES?: readonly ClusterNode[] }): RedisTarget {
  return config.REDIS_CLUSTER_NODES ? { clusterNodes: config.REDIS_CLUSTER_NODES } : { url: config.REDIS_URL };
}

/** How to name the target in a message (no password). */
export function describeTarget(target: RedisTarget): string {
  if ('clusterNodes' in target)
    return `REDIS_CLUSTER_NODES=${target.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  return `REDIS_URL=${maskUrl(target.url)}`;
}

function connect(target: RedisTarget, node: RedisOptions, offlineQueue: boolean): RedisConnection {
  if ('url' in target) return new Redis(target.url, { ...node, enableOfflineQueue: offlineQueue, lazyConnect: true });
  return new Cluster(
    target.clusterNodes.map((n) => ({ ...n })),
    {
      enableOfflineQueue: offlineQueue,
      lazyConnect: true,
      redisOptions: node,
      // A master that went away is retried quickly; commands for its slots fail meanwhile (→ 503).
      clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
      slotsRefreshTimeout: 2000,
      // Cluster#connect() never settles when its ready check sees cluster_state:fail (it reconnects
      // on a new promise), and BullMQ awaits it when it resets a worker's blocking connection: a
      // master restart left a partition's workers waiting for good (chaos scenario 8). Commands
      // during a cluster failure fail instead (CLUSTERDOWN, retried by ioredis, then by BullMQ).
      enableReadyCheck: false,
    },
  );
}

/**
 * For the api role and producers: no offline queue, so a command during an outage fails at once
 * instead of piling up (the webhook route also puts a timeout around the enqueue).
 */
export function createProducerRedis(target: RedisTarget): RedisConnection {
  // commandTimeout: a socket that silently stops answering must not hold the enqueue batch forever.
  return connect(target, { maxRetriesPerRequest: 1, connectTimeout: 3000, commandTimeout: 5000 }, false);
}

/** For BullMQ workers: BullMQ requires maxRetriesPerRequest null for its blocking commands. */
export function createWorkerRedis(target: RedisTarget): RedisConnection {
  return connect(target, { maxRetriesPerRequest: null, connectTimeout: 3000 }, true);
}

/**
 * For a reader that blocks on one command (XREAD … BLOCK): a connection of its own, failing fast,
 * with a timeout a little over the block so a silently dead socket is noticed.
 */
export function createBlockingReaderRedis(target: RedisTarget, blockMs: number): RedisConnection {
  // No resending after a reconnect: the reader must hear that it lost the connection.
  return connect(
    target,
    {
      maxRetriesPerRequest: 1,
      connectTimeout: 3000,
      commandTimeout: blockMs + 2000,
      autoResendUnfulfilledCommands: false,
    },
    false,
  );
}

/** Connects and pings once (start-up check); on a cluster, every master must answer. */
export async function connectRedis(redis: RedisConnection): Promise<void> {
  await redis.connect();
  await pingRedis(redis);
}

/**
 * PING, on a cluster to every master: a cluster with one master gone is not ready. The client drops
 * a node whose connection ended, so the masters are taken from its slot table (which still names a
 * master that went away) and each must be connected and answer.
 */
export async function pingRedis(redis: RedisConnection): Promise<void> {
  if (!(redis instanceof Cluster)) {
    await redis.ping();
    return;
  }
  const owners = redis.slots.filter((nodes) => nodes?.length > 0);
  if (owners.length < CLUSTER_SLOTS) throw new Error(`${CLUSTER_SLOTS - owners.length} cluster slots have no master`);
  const connected = new Map(redis.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const missing = [...new Set(owners.map((nodes) => nodes[0]))].filter((key) => !connected.has(key));
  if (missing.length > 0) throw new Error(`cluster master ${missing.join(', ')} is not connected`);
  await Promise.all([...connected.values()].map((node) => node.ping()));
}

/** Closes a connection politely (QUIT), or drops it when Redis cannot answer. */
export async function quitRedis(redis: RedisConnection): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
