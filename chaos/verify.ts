/**
 * Checks the system against the stand-in's truth: mirror rows vs truth objects, access answers vs
 * the contract's access rule applied to the truth (an oracle written here, independent of
 * src/access), processed_events vs the events sent, and job outcomes from the worker logs.
 */
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { DRAIN_NAMESPACES, usageKeys } from '../src/usage/keys';
import type { Pool } from 'pg';
import { keepAliveAgent, pool, post } from './delivery';
import type { TruthEntry } from './world';

type Row = Record<string, unknown>;
type Truth = Map<string, TruthEntry>;
const ref = (v: unknown): unknown => (v && typeof v === 'object' ? (v as { id: string }).id : (v ?? null));
const num = (v: unknown): unknown => (v === null || v === undefined ? null : Number(v));
/** Equal after pg's bigint-as-string and undefined-as-null. */
const same = (a: unknown, b: unknown): boolean => String(a ?? null) === String(b ?? null);

/** The fields of a truth object the mirror must hold, per table. */
const EXPECT: Record<string, { table: string; cols: string; map: (o: Row, deleted: boolean) => Row }> = {
  customer: {
    table: 'customers',
    cols: 'stripe_id, email, name, deleted',
    map: (o, d) => ({ email: o.email ?? null, name: o.name ?? null, deleted: d }),
  },
  product: {
    table: 'products',
    cols: 'stripe_id, name, active, deleted',
    map: (o, d) => ({ name: o.name, active: o.active, deleted: d }),
  },
  price: {
    table: 'prices',
    cols: 'stripe_id, stripe_product_id, unit_amount, currency, active, deleted',
    map: (o, d) => ({
      stripe_product_id: ref(o.product),
      unit_amount: num(o.unit_amount),
      currency: o.currency,
      active: o.active,
      deleted: d,
    }),
  },
  subscription: {
    table: 'subscriptions',
    cols: 'stripe_id, stripe_customer_id, status, cancel_at_period_end, deleted',
    map: (o, d) => ({
      stripe_customer_id: ref(o.customer),
      status: o.status,
      cancel_at_period_end: o.cancel_at_period_end,
      deleted: d,
    }),
  },
  invoice: {
    table: 'invoices',
    cols: 'stripe_id, stripe_customer_id, stripe_subscription_id, status, amount_due, amount_paid, amount_remaining, attempted, deleted',
    map: (o, d) => ({
      stripe_customer_id: ref(o.customer),
      stripe_subscription_id: ref(
        (o.parent as Row | null)?.subscription_details && ((o.parent as Row).subscription_details as Row).subscription,
      ),
      status: o.status,
      amount_due: num(o.amount_due),
      amount_paid: num(o.amount_paid),
      amount_remaining: num(o.amount_remaining),
      attempted: o.attempted,
      deleted: d,
    }),
  },
};

export interface MirrorCheck {
  wrong: number;
  checked: number;
  examples: string[];
}

/** Compares every mirror row with the truth (missing, extra and differing rows are all "wrong"). */
export async function compareMirror(db: Pool, truth: Truth): Promise<MirrorCheck> {
  const result: MirrorCheck = { wrong: 0, checked: 0, examples: [] };
  const flag = (what: string) => {
    result.wrong++;
    if (result.examples.length < 10) result.examples.push(what);
  };
  for (const [type, spec] of Object.entries(EXPECT)) {
    const { rows } = await db.query(`SELECT ${spec.cols} FROM ${spec.table}`);
    const stored = new Map((rows as Row[]).map((r) => [r.stripe_id as string, r]));
    for (const [id, entry] of truth) {
      if (entry.object.object !== type) continue;
      result.checked++;
      const row = stored.get(id);
      stored.delete(id);
      if (!row) {
        flag(`${id}: missing from ${spec.table}`);
        continue;
      }
      const expected = spec.map(entry.object, entry.lastType.endsWith('.deleted'));
      const diff = Object.entries(expected).filter(([k, v]) => !same(v, row[k]));
      if (diff.length)
        flag(
          `${id}: ${diff.map(([k, v]) => `${k} is ${JSON.stringify(row[k])}, truth ${JSON.stringify(v)}`).join('; ')}`,
        );
    }
    for (const id of stored.keys()) flag(`${id}: in ${spec.table} but not in the truth`);
  }
  await compareItems(db, truth, flag);
  return result;
}

async function compareItems(db: Pool, truth: Truth, flag: (what: string) => void): Promise<void> {
  const { rows } = await db.query(
    'SELECT stripe_id, stripe_subscription_id, stripe_price_id, quantity, current_period_end FROM subscription_items',
  );
  const key = (sub: unknown, id: unknown, pr: unknown, q: unknown, end: unknown) =>
    `${sub}|${id}|${pr}|${q ?? null}|${Number(end)}`;
  const stored = new Set(
    (rows as Row[]).map((r) =>
      key(r.stripe_subscription_id, r.stripe_id, r.stripe_price_id, r.quantity, r.current_period_end),
    ),
  );
  const expected = new Set<string>();
  for (const { object } of truth.values()) {
    if (object.object !== 'subscription') continue;
    for (const item of (object.items as Row).data as Row[])
      expected.add(key(object.id, item.id, ref(item.price), item.quantity, item.current_period_end));
  }
  for (const k of expected) if (!stored.has(k)) flag(`subscription item ${k}: missing or different`);
  for (const k of stored) if (!expected.has(k)) flag(`subscription item ${k}: not in the truth`);
}

/** The contract's access rule applied to the truth (grace period 0). */
export function accessOracle(truth: Truth, customerId: string): boolean {
  const objects = [...truth.values()].map((t) => t.object).filter((o) => ref(o.customer) === customerId);
  const granting = objects.some(
    (o) => o.object === 'subscription' && (o.status === 'active' || o.status === 'trialing'),
  );
  const failedUnpaid = objects.some(
    (o) =>
      o.object === 'invoice' &&
      o.attempted === true &&
      (o.status === 'open' || o.status === 'uncollectible') &&
      Number(o.amount_remaining) > 0,
  );
  return granting && !failedUnpaid;
}

/** Asks the api for every customer's access and counts answers that differ from the oracle. */
export async function compareAccess(
  apiUrl: string,
  apiKey: string,
  truth: Truth,
  customers: string[],
): Promise<MirrorCheck> {
  const byCustomer = new Map<string, boolean>();
  for (const c of customers) byCustomer.set(c, false);
  const oracle = new Map(customers.map((c) => [c, accessOracle(truth, c)]));
  const result: MirrorCheck = { wrong: 0, checked: customers.length, examples: [] };
  const agent = keepAliveAgent(16);
  await pool(customers, 16, async (c) => {
    const res = await post(
      agent,
      `${apiUrl}/v1/customers/${c}/access`,
      '',
      { authorization: `Bearer ${apiKey}` },
      15_000,
      'GET',
    );
    const got = res.status === 200 ? (JSON.parse(res.text) as { access: boolean }).access : `HTTP ${res.status}`;
    if (got !== oracle.get(c)) {
      result.wrong++;
      if (result.examples.length < 10) result.examples.push(`${c}: access ${got}, truth ${oracle.get(c)}`);
    }
  });
  agent.destroy();
  return result;
}

/** Sent events that have no processed_events row (lost), and rows for events never sent. */
export async function compareProcessed(
  db: Pool,
  sent: readonly string[],
): Promise<{ lost: string[]; extra: number; rows: number }> {
  const { rows } = await db.query('SELECT stripe_event_id FROM processed_events');
  const stored = new Set((rows as Row[]).map((r) => r.stripe_event_id as string));
  const want = new Set(sent);
  return {
    lost: [...want].filter((id) => !stored.has(id)),
    extra: [...stored].filter((id) => !want.has(id)).length,
    rows: stored.size,
  };
}

/**
 * Job outcomes the workers logged ("stripe event done", debug level). An event whose effects
 * committed more than once would show two outcomes other than `duplicate`; `duplicate` means
 * the processed_events guard caught a re-run (a stalled job, say). `applied`: outcomes other than
 * `duplicate` per job id.
 */
export function workerOutcomes(logFiles: string[]): {
  doubled: number;
  rerunsCaught: number;
  outcomes: Record<string, number>;
  applied: Map<string, number>;
} {
  const applied = new Map<string, number>();
  const outcomes: Record<string, number> = {};
  for (const file of logFiles) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('"outcome"')) continue;
      let entry: { jobId?: string; outcome?: string };
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if (!entry.jobId || !entry.outcome) continue;
      outcomes[entry.outcome] = (outcomes[entry.outcome] ?? 0) + 1;
      if (entry.outcome !== 'duplicate') applied.set(entry.jobId, (applied.get(entry.jobId) ?? 0) + 1);
    }
  }
  const doubled = [...applied.values()].filter((n) => n > 1).length;
  return { doubled, rerunsCaught: outcomes.duplicate ?? 0, outcomes, applied };
}

/** True when no usage is pending or claimed in any namespace (legacy and every shard) under `prefix`. */
export async function usageSettled(redis: Redis | Cluster, prefix: string): Promise<boolean> {
  const counts = await Promise.all(
    DRAIN_NAMESPACES.map((ns) => usageKeys(prefix, ns)).flatMap((k) => [redis.hlen(k.pending), redis.zcard(k.claims)]),
  );
  return counts.every((n) => n === 0);
}
