/**
 * A transaction whose first statements ride along with BEGIN in one round trip. On this kind of
 * machine every statement sent to PostgreSQL costs a socket write and a wake-up on both sides,
 * so `BEGIN` + advisory lock + dedupe insert as three round trips was a third of an event's cost.
 *
 * The opening is a multi-statement simple query, so its values are inlined with the driver's own
 * `escapeLiteral`/`escapeIdentifier` (never string concatenation of raw input).
 */
import type { PoolClient, QueryResult } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

export type Literal = string | number;

/** Formats `sql` with `$1…$n` replaced by escaped literals (numbers must be finite integers). */
export function inlineSql(client: Pick<PoolClient, 'escapeLiteral'>, sql: string, values: readonly Literal[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const v = values[Number(n) - 1];
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new Error(`inlineSql: $${n} is not a safe integer`);
      return String(v);
    }
    if (typeof v !== 'string') throw new Error(`inlineSql: no value for $${n}`);
    return client.escapeLiteral(v);
  });
}

/**
 * Runs `BEGIN; <opening statements>` in one round trip, then `work` with a manager bound to the
 * same connection and transaction, then COMMIT (ROLLBACK on any error, the opening's included).
 * `work` receives the results of the opening statements, in order.
 */
export async function withOpenedTransaction<T>(
  dataSource: DataSource,
  opening: ReadonlyArray<{ sql: string; values: readonly Literal[] }>,
  work: (manager: EntityManager, results: QueryResult[]) => Promise<T>,
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
      const value = await work(runner.manager, results);
      await client.query('COMMIT');
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
