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
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** A value that can be inlined: text, a safe integer, a boolean or NULL. */
export type Literal = string | number | boolean | null;

export interface Statement {
  sql: string;
  values: readonly Literal[];
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
    return client.escapeLiteral(v);
  });
}

/**
 * Runs `BEGIN; <opening statements>` in one round trip, then `work` with a manager bound to the
 * same connection and transaction, then the statements `work` pushed onto `closing` followed by
 * COMMIT in one round trip (ROLLBACK on any error, the opening's and the closing's included).
 * `work` receives the results of the opening statements, in order.
 */
export async function withOpenedTransaction<T>(
  dataSource: DataSource,
  opening: readonly Statement[],
  work: (manager: EntityManager, results: QueryResult[], closing: Statement[]) => Promise<T>,
): Promise<T> {
  const runner: QueryRunner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    const text = ['BEGIN', ...opening.map((s) => inlineSql(client, s.sql, s.values))].join(';\n');
    let results: QueryResult[];
    try {
      results = ((await client.query(text)) as unknown as QueryResult[]).slice(1);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    // TypeORM did not send this BEGIN; tell it a transaction is open so row locks are allowed.
    const state = runner as { isTransactionActive: boolean };
    state.isTransactionActive = true;
    try {
      const closing: Statement[] = [];
      const value = await work(runner.manager, results, closing);
      await client.query([...closing.map((s) => inlineSql(client, s.sql, s.values)), 'COMMIT'].join(';\n'));
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      state.isTransactionActive = false;
    }
  } finally {
    await runner.release();
  }
}
