/**
 * Benchmark 4, the access API on the product's hot path: GET /v1/customers/:id/access over 10,000
 * customers, as fast as it goes, beside a bare Koa route answering the same JSON from memory
 * (bench/access-ceiling.ts, its own process); then the service at half its peak for p99; then a
 * sample of answers checked against what was stored, and again right after those customers'
 * answers changed (the api serves them from its cache: the change feed must have dropped them).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { publishAccessInvalidation } from '../src/access/change-feed';
import { seededRandom, shuffle } from '../stand-in/util';
import type { AccessAnswers } from './access-ceiling';
import { BENCH_API_KEY, BenchEnv } from './env';
import type { Launcher, Running } from './launch';
import type { LoadResult } from './load';
import type { BenchScale } from './scale';

export const ACCESS_CUSTOMERS = 10_000;

export interface AccessBenchResult {
  customers: number;
  ceiling: LoadResult;
  service: LoadResult;
  halfRate: LoadResult & { targetRps: number };
  /** service.rps / ceiling.rps */
  ratio: number;
  checked: number;
  wrong: number;
  /** Customers whose stored answer was then changed (as a worker would, feed included). */
  changed: number;
  /** Of those, answers the service still gave the old value for right after (stale cache). */
  stale: number;
}

/** Every fourth customer lost access to a past-due subscription; the rest are active. */
function answers(): AccessAnswers {
  const out: AccessAnswers = {};
  for (let n = 0; n < ACCESS_CUSTOMERS; n++) {
    const customer = `cus_bacc${n}`;
    out[customer] =
      n % 4 === 0
        ? { customer, access: false, status: 'past_due', reason: 'subscription_past_due' }
        : { customer, access: true, status: 'active', reason: 'subscription_active' };
  }
  return out;
}

/** Stores the answers as the worker's access step would have (customer_access). */
async function seed(env: BenchEnv, all: AccessAnswers): Promise<void> {
  const db = new Client({ connectionString: env.dbUrl });
  await db.connect();
  try {
    const rows = Object.values(all);
    await db.query(
      `INSERT INTO customer_access (stripe_customer_id, access, status, reason, version)
       SELECT * , 1 FROM unnest($1::text[], $2::bool[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      [rows.map((r) => r.customer), rows.map((r) => r.access), rows.map((r) => r.status), rows.map((r) => r.reason)],
    );
  } finally {
    await db.end();
  }
}

function getAccess(
  url: string,
  ids: readonly string[],
  connections: number,
  seconds: number,
  rate?: number,
): Promise<LoadResult> {
  let next = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
        ...(rate ? { overallRate: rate } : {}),
        headers: { authorization: `Bearer ${BENCH_API_KEY}` },
        requests: [
          {
            method: 'GET',
            setupRequest: (req) => ({ ...req, path: `/v1/customers/${ids[next++ % ids.length]}/access` }),
          },
        ],
      },
      (error, r) =>
        error
          ? reject(error)
          : resolve({
              requests: r.requests.total,
              seconds: r.duration,
              rps: r.requests.total / r.duration,
              p50: r.latency.p50,
              p99: r.latency.p99,
              non2xx: r.non2xx,
              errors: r.errors + r.timeouts,
            }),
    );
  });
}

/** Compares `sample` answers of the service with the stored ones; returns how many differ. */
async function wrongAnswers(url: string, all: AccessAnswers, sample: readonly string[]): Promise<number> {
  let wrong = 0;
  for (const id of sample) {
    const res = await fetch(`${url}/v1/customers/${id}/access`, {
      headers: { authorization: `Bearer ${BENCH_API_KEY}` },
    });
    if (JSON.stringify(await res.json()) !== JSON.stringify(all[id])) wrong++;
  }
  return wrong;
}

/**
 * After the load: flips the stored answer of `sample` as the worker's access step would (the row,
 * then the access change feed) and asks at once; returns how many answers were still the old one.
 */
async function staleAfterChange(
  env: BenchEnv,
  url: string,
  prefix: string,
  all: AccessAnswers,
  sample: readonly string[],
): Promise<number> {
  const db = new Client({ connectionString: env.dbUrl });
  const redis = new Redis(env.redisUrl);
  await db.connect();
  try {
    await db.query(
      'UPDATE customer_access SET access = NOT access, version = version + 1 WHERE stripe_customer_id = ANY($1)',
      [sample],
    );
    await publishAccessInvalidation(redis, prefix, sample);
    let stale = 0;
    for (const id of sample) {
      const res = await fetch(`${url}/v1/customers/${id}/access`, {
        headers: { authorization: `Bearer ${BENCH_API_KEY}` },
      });
      if (((await res.json()) as { access: boolean }).access === all[id].access) stale++;
    }
    return stale;
  } finally {
    await db.end();
    redis.disconnect();
  }
}

export async function benchAccess(
  env: BenchEnv,
  launcher: Launcher,
  api: Running,
  prefix: string,
  scale: BenchScale,
): Promise<AccessBenchResult> {
  const all = answers();
  await seed(env, all);
  const dir = mkdtempSync(join(tmpdir(), 'bench-access-'));
  env.onCleanup('access answers file', async () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'answers.json');
  writeFileSync(file, JSON.stringify(all));
  // A shuffled order, so consecutive requests hit different rows and pages.
  const ids = shuffle(Object.keys(all), seededRandom(5));
  const seconds = scale.halfRateSeconds;
  const ceilingServer = await launcher.accessCeiling(env, file);
  await getAccess(ceilingServer.url!, ids, scale.connections, 1);
  const ceiling = await getAccess(ceilingServer.url!, ids, scale.connections, seconds);
  await ceilingServer.stop();
  await getAccess(api.url!, ids, scale.connections, 1);
  const service = await getAccess(api.url!, ids, scale.connections, seconds);
  const targetRps = Math.max(1, Math.round(service.rps / 2));
  const halfRate = await getAccess(api.url!, ids, scale.connections, seconds, targetRps);
  const sample = ids.filter((_, i) => i % 50 === 0);
  const wrong = await wrongAnswers(api.url!, all, sample);
  const stale = await staleAfterChange(env, api.url!, prefix, all, sample);
  return {
    customers: ACCESS_CUSTOMERS,
    ceiling,
    service,
    halfRate: { ...halfRate, targetRps },
    ratio: service.rps / ceiling.rps,
    checked: sample.length,
    wrong,
    changed: sample.length,
    stale,
  };
}
