/**
 * Which shard a customer's usage lives in — a rule any language can follow:
 *
 *   shard = CRC32(customer id as UTF-8) mod 16          (CRC32 = IEEE 802.3, as zlib's crc32)
 *
 * The shard's Redis Cluster hash tag is `{u<shard>}` (`{u0}` … `{u15}`), so all of one customer's
 * keys share one slot (each write stays one atomic step) while different customers spread over the
 * cluster's masters. The shard count is fixed: changing it would move customers between keys.
 */

export const SHARD_COUNT = 16;

const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC32 (IEEE, reflected, init and final xor 0xFFFFFFFF) of a string's UTF-8 bytes, unsigned. */
export function crc32(text: string): number {
  // Customer ids are ASCII, whose UTF-8 bytes are their char codes: no Buffer on the hot path.
  const utf8 = /^\p{ASCII}*$/u.test(text) ? undefined : Buffer.from(text, 'utf8');
  const length = utf8 ? utf8.length : text.length;
  let crc = 0xffffffff;
  for (let i = 0; i < length; i++) crc = TABLE[(crc ^ (utf8 ? utf8[i] : text.charCodeAt(i))) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The shard (0 … SHARD_COUNT − 1) holding `customer`'s usage. */
export function shardOf(customer: string): number {
  return crc32(customer) % SHARD_COUNT;
}

/** Every shard number, in drain order. */
export const ALL_SHARDS: readonly number[] = Array.from({ length: SHARD_COUNT }, (_, i) => i);
