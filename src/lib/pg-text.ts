/**
 * Text PostgreSQL can store. A text value cannot hold a NUL (U+0000), and jsonb also refuses the
 * `\u0000` escape and lone UTF-16 surrogates (`\ud800`), all of which are valid JSON that Stripe
 * may send in any text field (a name, a description, a metadata key). Rather than fail such an
 * event for good, each is stored as U+FFFD, the replacement character: visibly changed, never lost
 * with the rest of the object. Pure; copy-on-write, so clean text and clean objects are returned as is.
 */

/** A NUL, or a surrogate half without its other half. */
// eslint-disable-next-line no-control-regex -- matching the NUL control character is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const EVERY_UNSTORABLE = new RegExp(UNSTORABLE.source, 'g');

/** `text` with every NUL and lone surrogate replaced by U+FFFD. */
export const storableText = (text: string): string =>
  UNSTORABLE.test(text) ? text.replace(EVERY_UNSTORABLE, '\uFFFD') : text;

/** A JSON value whose strings and keys are all storableText, for a jsonb column. */
export function storableJson<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = storableJson(value[i]);
      if (next !== value[i]) (out ??= value.slice())[i] = next;
    }
    return (out ?? value) as T;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = storableText(keys[i]);
    const inner = storableJson(record[keys[i]]);
    if (out === undefined && (key !== keys[i] || inner !== record[keys[i]])) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]] = record[keys[j]];
    }
    if (out !== undefined) out[key] = inner;
  }
  return (out ?? record) as T;
}
