/**
 * The two statements of the mirror's write path as plain SQL, built once per entity from TypeORM's
 * own metadata: read the stored row under a row lock, and upsert a row by `stripe_id`. Values go
 * through the driver's preparePersistentValue / prepareHydratedValue, so column types and
 * transformers behave exactly as with the repository. Why: TypeORM rebuilt both queries for every
 * event (≈ 15 % of the worker's CPU); the SQL sent is the same. Both are returned as statements,
 * not run, so they can ride in the transaction's opening and closing round trips (transaction.ts).
 */
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { storableJson } from '../lib/pg-text';
import { placeholderList } from './sql';
import type { Literal, Statement } from './transaction';

interface EntitySql {
  select: string;
  columns: ColumnMetadata[];
  table: string;
  upserts: Map<string, { into: string; onConflict: string; sql: string }>;
}

const cache = new WeakMap<object, EntitySql>();
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function entitySql(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>): EntitySql {
  const metadata = dataSource.getMetadata(entity);
  const key = metadata.target as object;
  let sql = cache.get(key);
  if (!sql) {
    const table = quote(metadata.tableName);
    const names = metadata.columns.map((c) => quote(c.databaseName)).join(', ');
    sql = {
      select: `SELECT ${names} FROM ${table} WHERE "stripe_id" = $1 FOR UPDATE`,
      columns: metadata.columns,
      table,
      upserts: new Map(),
    };
    cache.set(key, sql);
  }
  return sql;
}

/** The read of `stripeId`'s stored row, locked until the transaction ends. */
export function selectForUpdate(
  dataSource: DataSource,
  entity: EntityTarget<ObjectLiteral>,
  stripeId: string,
): Statement {
  return { sql: entitySql(dataSource, entity).select, values: [stripeId] };
}

/** The row `selectForUpdate` returned (as raw rows), hydrated like the repository would, or null. */
export function hydrateRow<Row extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<Row>,
  rows: ReadonlyArray<Record<string, unknown>>,
): Row | null {
  if (rows.length === 0) return null;
  const sql = entitySql(dataSource, entity);
  const driver = dataSource.driver;
  const row: Record<string, unknown> = {};
  for (const c of sql.columns) row[c.propertyName] = driver.prepareHydratedValue(rows[0][c.databaseName], c);
  return row as Row;
}

/**
 * Inserts `row`, or overwrites every given column of the stored one (conflict on stripe_id);
 * `updated_at` takes its default on insert and now() on update, as TypeORM's upsert does.
 */
export function upsertRow(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>, row: ObjectLiteral): Statement {
  const sql = entitySql(dataSource, entity);
  const columns = sql.columns.filter((c) => !c.isUpdateDate && row[c.propertyName] !== undefined);
  const key = columns.map((c) => c.propertyName).join(',');
  let text = sql.upserts.get(key);
  if (!text) {
    const names = columns.map((c) => quote(c.databaseName));
    const sets = names.filter((n) => n !== '"stripe_id"').map((n) => `${n} = EXCLUDED.${n}`);
    const updateDate = sql.columns.find((c) => c.isUpdateDate);
    if (updateDate) sets.push(`${quote(updateDate.databaseName)} = now()`);
    const into = `INSERT INTO ${sql.table} (${names.join(', ')})`;
    const onConflict = `ON CONFLICT ("stripe_id") DO UPDATE SET ${sets.join(', ')}`;
    text = { into, onConflict, sql: `${into} VALUES (${placeholderList(names.length)}) ${onConflict}` };
    sql.upserts.set(key, text);
  }
  const driver = dataSource.driver;
  // jsonb refuses \u0000 and lone surrogates that Stripe text may hold (lib/pg-text.ts).
  const persistent = (c: ColumnMetadata) =>
    c.type === 'jsonb' ? storableJson(row[c.propertyName]) : (row[c.propertyName] as unknown);
  const values = columns.map((c) => driver.preparePersistentValue(persistent(c), c) as Literal);
  return {
    sql: text.sql,
    values,
    upsert: { into: text.into, onConflict: text.onConflict, rowKey: String(row.stripeId) },
  };
}
