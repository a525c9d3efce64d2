import { crc32, SHARD_COUNT, shardOf } from '../../src/usage/shard';
import { addEvents, byShard, countDuplicates, emptyBatch, recordShardsCall } from '../../src/usage/record-batches';

describe('CRC32 (IEEE), the any-language shard rule', () => {
  test.each([
    ['', 0],
    ['a', 0xe8b7be43],
    ['123456789', 0xcbf43926],
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
    ['cus_NffrFeUfNV2Hib', 1_379_862_306], // zlib.crc32 in Python
    ['é', 0x0e048d3e], // UTF-8 bytes, not UTF-16 units
  ])('crc32(%j) = %i', (text, expected) => {
    expect(crc32(text)).toBe(expected);
  });
  test('shards of documented examples (zlib.crc32(id) % 16)', () => {
    expect(['cus_NffrFeUfNV2Hib', 'cus_Qx8aB4yT1m0Z9k', 'cus_123'].map(shardOf)).toEqual([2, 1, 15]);
  });
  test('10,000 customers spread over every shard within ±20 %', () => {
    const counts = new Array<number>(SHARD_COUNT).fill(0);
    for (let i = 0; i < 10_000; i++) counts[shardOf(`cus_${(i * 2_654_435_761).toString(36)}${i}`)]++;
    const mean = 10_000 / SHARD_COUNT;
    for (const n of counts) expect(Math.abs(n - mean) / mean).toBeLessThanOrEqual(0.2);
  });
});

describe('record calls', () => {
  const ev = (customer: string, value: number, id?: string) => ({
    customer,
    meter: 'm',
    value,
    timestamp: 7205,
    ...(id ? { id } : {}),
  });
  test('events group by the shard of their customer', () => {
    const groups = byShard([ev('cus_NffrFeUfNV2Hib', 1), ev('cus_123', 2), ev('cus_NffrFeUfNV2Hib', 3)]);
    expect([...groups.keys()]).toEqual([2, 15]);
    expect(groups.get(2)!.map((e) => e.value)).toEqual([1, 3]);
  });
  test('ids go first, one key each; plain events are summed per field, zeros dropped; several shards make one call', () => {
    const batch = emptyBatch(15);
    expect(addEvents(batch, [ev('cus_123', 1, 'a'), ev('cus_123', 2), ev('cus_123', 0)], 'p', 3600)).toEqual([0, 1]);
    expect(addEvents(batch, [ev('cus_123', 4, 'a'), ev('cus_123', 9007199254740991)], 'p', 3600)).toEqual([1, 2]);
    const other = emptyBatch(2);
    addEvents(other, [ev('cus_NffrFeUfNV2Hib', 3), ev('cus_NffrFeUfNV2Hib', 5)], 'p', 3600);
    expect(recordShardsCall([batch, other], (shard) => `p:usage:{u${shard}}:pending`, 60)).toEqual({
      keys: [
        'p:usage:{u15}:pending',
        'p:usage:{u15}:id:cus_123|a',
        'p:usage:{u15}:id:cus_123|a',
        'p:usage:{u2}:pending',
      ],
      args: [
        '60',
        '2',
        '1',
        'cus_123|m|7200',
        '1',
        'cus_123|m|7200',
        '4',
        'cus_123|m|7200',
        '9007199254740993',
        '0',
        '1',
        'cus_NffrFeUfNV2Hib|m|7200',
        '8',
      ],
    });
  });
  test('each caller counts the duplicates of its own range', () => {
    expect(countDuplicates('0110', 0, 2)).toBe(1);
    expect(countDuplicates('0110', 2, 4)).toBe(1);
    expect(countDuplicates('', 0, 0)).toBe(0);
  });
});
