/** Text PostgreSQL can store (src/lib/pg-text.ts): NULs and lone surrogates become U+FFFD, nothing else changes. */
import { storableJson, storableText } from '../../src/lib/pg-text';

test.each([
  ['a\u0000b', 'a\uFFFDb'],
  ['\u0000\u0000', '\uFFFD\uFFFD'],
  ['x\ud800', 'x\uFFFD'],
  ['\udc00x', '\uFFFDx'],
  ['emoji 😀 stays', 'emoji 😀 stays'],
  [String.raw`\u0000 is six characters`, String.raw`\u0000 is six characters`],
  ['', ''],
])('%j → %j', (input, output) => {
  expect(storableText(input)).toBe(output);
});

test('keys and values at any depth; clean parts are returned as they are', () => {
  const clean = { list: [{ a: 1 }], n: null };
  const value = { 'k\u0000': ['ok', 'v\ud800'], nested: { deep: 'a\u0000' }, clean };
  const stored = storableJson(value);
  expect(stored).toEqual({ 'k\uFFFD': ['ok', 'v\uFFFD'], nested: { deep: 'a\uFFFD' }, clean });
  expect(stored.clean).toBe(clean);
  expect(value.nested.deep).toBe('a\u0000');
  expect(storableJson(clean)).toBe(clean);
});
