/**
 * What a benchmark run owns: its database (created and migrated here), its Redis key prefixes,
 * the Stripe stand-in, and whatever it started. `cleanup()` undoes all of it, in reverse order,
 * and is safe to call twice (it runs on failure and on SIGINT too).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createDataSource } from '../src/db/data-source';
import { adminQuery, databaseUrl, dropDatabase } from '../test/support/postgres';
import { deleteKeys, TEST_REDIS_URL } from '../test/support/redis';
import { StripeStandIn } from '../stand-in/index';
import type { ClusterNode } from '../src/runtime/redis';

export const BENCH_WEBHOOK_SECRET = 'whsec_bench_0123456789';
export const BENCH_API_KEY = 'bench-api-key-0123456789';
export const BENCH_STRIPE_KEY = 'sk_test_bench';

export class BenchEnv {
  readonly id = randomBytes(4).toString('hex');
  readonly dbName = `billing_bench_${this.id}`;
  readonly dbUrl = databaseUrl(this.dbName);
  readonly redisUrl = TEST_REDIS_URL;
  /** Set for a run on a Redis Cluster (bench/cluster.ts): the roles get REDIS_CLUSTER_NODES. */
  clusterNodes?: ClusterNode[];
  /** The roles' EVENT_QUEUE_PARTITIONS. */
  partitions = 1;
  private readonly undo: Array<{ what: string; run: () => Promise<unknown> }> = [];
  private readonly prefixes = new Set<string>();
  private cleaned = false;

  private constructor(readonly standIn: StripeStandIn) {}

  static async create(): Promise<BenchEnv> {
    const standIn = await StripeStandIn.start({ apiKey: BENCH_STRIPE_KEY });
    const env = new BenchEnv(standIn);
    env.onCleanup('stripe stand-in', () => standIn.close());
    try {
      await adminQuery(`CREATE DATABASE "${env.dbName}"`);
      env.onCleanup(`database ${env.dbName}`, () => dropDatabase(env.dbName));
      const ds = createDataSource(env.dbUrl, { poolSize: 1 });
      await ds.initialize();
      await ds.runMigrations();
      await ds.destroy();
    } catch (error) {
      await env.cleanup();
      throw error;
    }
    return env;
  }

  /** A fresh Redis key prefix whose keys are deleted at cleanup. */
  prefix(label: string): string {
    const p = `bench-${this.id}-${label}`;
    this.prefixes.add(p);
    return p;
  }

  /** Registers an undo step; steps run last-in first-out. */
  onCleanup(what: string, run: () => Promise<unknown>): void {
    this.undo.push({ what, run });
  }

  /** Removes a step that already ran (e.g. a child stopped early). */
  forget(run: () => Promise<unknown>): void {
    const i = this.undo.findIndex((u) => u.run === run);
    if (i >= 0) this.undo.splice(i, 1);
  }

  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const prefix of this.prefixes)
      this.undo.unshift({ what: `redis keys ${prefix}:*`, run: () => deleteKeys(prefix, this.redisUrl) });
    // Database and keys go after the processes that use them (those were registered later).
    for (const step of this.undo.reverse()) {
      await step.run().catch((error: Error) => console.error(`bench cleanup: ${step.what} failed: ${error.message}`));
    }
  }
}
