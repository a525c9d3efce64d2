/** mergeUpserts (db/transaction.ts): one-row upserts of one shape travel as one multi-row upsert. */
import { mergeUpserts, Statement } from '../../src/db/transaction';

const into = 'INSERT INTO "customers" ("stripe_id", "name")';
const onConflict = 'ON CONFLICT ("stripe_id") DO UPDATE SET "name" = EXCLUDED."name"';
const upsert = (id: string, name: string, shape = into): Statement => ({
  sql: `${shape} VALUES ($1, $2) ${onConflict}`,
  values: [id, name],
  upsert: { into: shape, onConflict, rowKey: id },
});
const other = (sql: string): Statement => ({ sql, values: [] });

test("same-shape upserts merge at the first one's place, placeholders renumbered, other statements kept in order", () => {
  const merged = mergeUpserts([
    other('A'),
    upsert('cus_1', 'x'),
    other('B'),
    upsert('cus_2', 'y'),
    upsert('cus_3', 'z'),
  ]);
  expect(merged).toEqual([
    other('A'),
    {
      sql: `${into} VALUES ($1, $2), ($3, $4), ($5, $6) ${onConflict}`,
      values: ['cus_1', 'x', 'cus_2', 'y', 'cus_3', 'z'],
    },
    other('B'),
  ]);
});

test('a repeated row key starts a new group; other shapes stay apart; a lone upsert is unchanged', () => {
  const otherShape = 'INSERT INTO "customers" ("stripe_id", "email")';
  const lone = upsert('cus_9', 'w', otherShape);
  const merged = mergeUpserts([upsert('cus_1', 'a'), upsert('cus_1', 'b'), lone, upsert('cus_2', 'c')]);
  // cus_1's second version comes after its first; later rows join the newest group of their shape.
  expect(merged.map((s) => [s.sql.split(' VALUES ')[1], s.values])).toEqual([
    [`($1, $2) ${onConflict}`, ['cus_1', 'a']],
    [`($1, $2), ($3, $4) ${onConflict}`, ['cus_1', 'b', 'cus_2', 'c']],
    [`($1, $2) ${onConflict}`, ['cus_9', 'w']],
  ]);
  expect(merged[2]).toBe(lone);
  expect(merged[0].sql).toBe(upsert('cus_1', 'a').sql);
});
