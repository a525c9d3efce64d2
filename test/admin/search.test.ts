/** What a console search query is. */
import { classifyQuery, searchBody } from '../../src/admin/search';

test.each([
  [undefined, { kind: 'empty' }],
  ['   ', { kind: 'empty' }],
  [' cus_NffrFeUfNV2Hib ', { kind: 'customer', value: 'cus_NffrFeUfNV2Hib' }],
  ['sub_1MowQVLkdIwHu7ix', { kind: 'subscription', value: 'sub_1MowQVLkdIwHu7ix' }],
  ['in_1MtHbELkdIwHu7ix', { kind: 'invoice', value: 'in_1MtHbELkdIwHu7ix' }],
  ['Ada@Example.com', { kind: 'email', value: 'Ada@Example.com' }],
  ['sub_sched_1', { kind: 'unsupported', value: 'sub_sched_1' }],
  ['Ada Lovelace', { kind: 'unsupported', value: 'Ada Lovelace' }],
  ["cus_1' OR 1=1 --", { kind: 'unsupported', value: "cus_1' OR 1=1 --" }],
])('%j is %j', (raw, query) => expect(classifyQuery(raw)).toEqual(query));

test('the results page escapes the query and the matches', () => {
  const text = searchBody({ kind: 'email', value: '<b>@x' }, [
    { customer: 'cus_1', email: '<b>@x', name: '<script>x</script>', mirrored: true },
    { customer: 'cus_2', email: null, name: null, mirrored: false },
  ]).text;
  expect(text).not.toContain('<b>');
  expect(text).not.toContain('<script>');
  expect(text).toContain('&lt;script&gt;x&lt;/script&gt;');
  expect(text).toContain('href="/admin/customers/cus_2"');
  expect(text).toContain('(not in the mirror)');
});
