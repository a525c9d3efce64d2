import { createdAtOf, testDatabaseName } from './postgres';

test('test database names carry their creation time, other names never match', () => {
  const before = Date.now();
  const created = createdAtOf(testDatabaseName());
  expect(created).toBeGreaterThanOrEqual(before);
  expect(created).toBeLessThanOrEqual(Date.now());
  expect(createdAtOf(`billing_tpl_42_${before.toString(36)}`)).toBe(before);
  for (const name of ['billing', 'billing_demo', 'billing_test_schema_x', 'chaos_s3_6baa8198'])
    expect(createdAtOf(name)).toBeUndefined();
});
