/**
 * A transaction in two round trips. On this kind of machine every statement sent to PostgreSQL
 * costs a socket write and a wake-up on both sides, so the statements of an event travel
 * together: `BEGIN` + the opening statements (advisory lock, dedupe insert, the locked read of
 * the stored row) in one round trip, then the handler decides in Node, then its writes + `COMMIT`
 * in a second one.
 *
 * Both are multi-statement simple queries, so their values are inlined with the driver's own
 * `escapeLiteral` (never string concatenation of raw input). PostgreSQL stops a simple query at
 * its first failing statement, so a failed write never reaches the `COMMIT` behind it: the
 * transaction is aborted and rolled back, the opening's dedupe insert with it.
 */
import type { PoolClient, QueryResult } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { storableText } from '../lib/pg-text';
import { placeholderRows } from './sql';

/** A value that can be inlined: text, a safe integer, a boolean or NULL. */
export type Literal = string | number | boolean | null;

export interface Statement {
  sql: string;
  values: readonly Literal[];
  /**
   * Set on a one-row upsert (db/row-sql.ts), whose `sql` is `${into} VALUES (…) ${onConflict}`:
   * upserts with the same `into` and `onConflict` can travel as one multi-row INSERT
   * (mergeUpserts), as long as no row key repeats.
   */
  upsert?: { into: string; onConflict: string; rowKey: string };
}

/**
 * The same statements with one-row upserts of the same shape merged into multi-row upserts, each
 * at the place of its group's first member (moving a row's upsert earlier never puts it after
 * its own companion writes). A repeated row key starts a new group: one INSERT … ON CONFLICT DO
 * UPDATE may not touch a row twice. Why: PostgreSQL spent ~24 µs per one-row upsert statement
 * against ~12 µs per row of a 25-row one.
 */
export function mergeUpserts(statements: readonly Statement[]): Statement[] {
  const out: Statement[] = [];
  const groups: Array<{ at: number; rows: Statement[]; keys: Set<string> }> = [];
  const open = new Map<string, (typeof groups)[number]>();
  for (const statement of statements) {
    const u = statement.upsert;
    if (!u) {
      out.push(statement);
      continue;
    }
    const shape = `${u.into}\u0000${u.onConflict}`;
    const group = open.get(shape);
    if (group && !group.keys.has(u.rowKey)) {
      group.rows.push(statement);
      group.keys.add(u.rowKey);
      continue;
    }
    const fresh = { at: out.length, rows: [statement], keys: new Set([u.rowKey]) };
    groups.push(fresh);
    open.set(shape, fresh);
    out.push(statement);
  }
  for (const { at, rows } of groups) {
    if (rows.length === 1) continue;
    const { into, onConflict } = rows[0].upsert!;
    const tuples = placeholderRows(rows.length, rows[0].values.length);
    out[at] = { sql: `${into} VALUES ${tuples} ${onConflict}`, values: rows.flatMap((s) => s.values) };
  }
  return out;
}

/** Formats `sql` with `$1…$n` replaced by escaped literals (numbers must be finite integers). */
export function inlineSql(client: Pick<PoolClient, 'escapeLiteral'>, sql: string, values: readonly Literal[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length) throw new Error(`inlineSql: no value for $${n}`);
    const v = values[i];
    if (v === null) return 'NULL';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new Error(`inlineSql: $${n} is not a safe integer`);
      return String(v);
    }
    if (typeof v !== 'string') throw new Error(`inlineSql: $${n} is not text, an integer, a boolean or null`);
    // A NUL would cut the query text short (pg-text.ts): it arrives as U+FFFD instead.
    return client.escapeLiteral(storableText(v));
  });
}

/** What the work inside a transaction returns: its result, and the writes to send with COMMIT. */
export interface TransactionWork<T> {
  result: T;
  closing: readonly Statement[];
}

/**
 * Runs `BEGIN; <opening statements>` in one round trip, then `work` on their results (in order),
 * then the statements `work` returns followed by COMMIT in one round trip (ROLLBACK on any error,
 * the opening's and the closing's included). `work` may send more statements in between with
 * `run` (one round trip per call; the access step uses one when an event changed a customer).
 * Only the connection comes from TypeORM (a public QueryRunner): the statements are plain SQL, so
 * TypeORM never has to know a transaction is open.
 */
export async function withOpenedTransaction<T>(
  dataSource: DataSource,
  opening: readonly Statement[],
  work: (
    results: QueryResult[],
    run: (statements: readonly Statement[]) => Promise<QueryResult[]>,
  ) => Promise<TransactionWork<T>>,
): Promise<T> {
  const runner: QueryRunner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  const send = async (statements: readonly Statement[]): Promise<QueryResult[]> => {
    const answer = (await client.query(
      statements.map((s) => inlineSql(client, s.sql, s.values)).join(';\n'),
    )) as unknown as QueryResult | QueryResult[];
    return Array.isArray(answer) ? answer : [answer];
  };
  try {
    try {
      const results = (await send([{ sql: 'BEGIN', values: [] }, ...opening])).slice(1);
      const { result, closing } = await work(results, send);
      await client.query([...closing.map((s) => inlineSql(client, s.sql, s.values)), 'COMMIT'].join(';\n'));
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await runner.release();
  }
}
