/**
 * Redis Cluster's key hashing, for the code that places keys and queues on slots (queue
 * partitions, the readiness check of a cluster). Pure functions only.
 */

/** Redis Cluster's slot count (CRC16 of the key, or of its hash tag, modulo 16384). */
export const CLUSTER_SLOTS = 16384;

const CRC16_TABLE = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  return crc;
});

/** CRC16/XMODEM of the UTF-8 bytes of `text`, the checksum Redis Cluster hashes keys with. */
export function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff];
  return crc;
}

/** The cluster slot of `key`: only the first non-empty `{…}` counts when there is one (Redis' rule). */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key.slice(open + 1, close)) % CLUSTER_SLOTS;
  }
  return crc16(key) % CLUSTER_SLOTS;
}
