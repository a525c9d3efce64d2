import { CLUSTER_SLOTS, crc16, keySlot } from '../../src/lib/cluster-slot';
import {
  clusterQueueName,
  eventPartitionKey,
  partitionOf,
  partitionTag,
  stripeEventQueueNames,
} from '../../src/queues/partitions';

const evt = (object: Record<string, unknown>, id = 'evt_1') => ({ id, data: { object } });

test('slots follow Redis Cluster: CRC16/XMODEM, and only the first non-empty hash tag counts', () => {
  expect(crc16('123456789')).toBe(0x31c3);
  // The examples of Redis' own CLUSTER KEYSLOT documentation.
  expect(keySlot('somekey')).toBe(11058);
  expect(keySlot('foo{hash_tag}')).toBe(2515);
  expect(keySlot('bar{hash_tag}')).toBe(2515);
  expect(keySlot('a{}b')).toBe(crc16('a{}b') % CLUSTER_SLOTS);
  expect(keySlot('billing:stripe-events-0{7}:wait')).toBe(keySlot('{7}'));
});

test('one partition on one Redis keeps the historical queue name', () => {
  expect(stripeEventQueueNames(1, false)).toEqual(['stripe-events']);
  expect(stripeEventQueueNames(1, true)).toEqual([expect.stringMatching(/^stripe-events-0\{\d+\}$/)]);
  expect(clusterQueueName('maintenance', false)).toBe('maintenance');
  expect(clusterQueueName('maintenance', true)).toBe('{maintenance}');
});

test.each([1, 2, 3, 6, 7, 12, 64, 256])(
  '%i partitions: distinct names, each slot in the middle of its own share of the slots',
  (count) => {
    const names = stripeEventQueueNames(count, true);
    expect(new Set(names).size).toBe(count);
    const width = CLUSTER_SLOTS / count;
    names.forEach((name, i) => {
      const slot = keySlot(`billing:${name}:wait`);
      expect(slot).toBeGreaterThanOrEqual(i * width + width / 4);
      expect(slot).toBeLessThan(i * width + (3 * width) / 4);
      expect(name).toBe(`stripe-events-${i}{${partitionTag(i, count)}}`);
    });
  },
);

test('6 partitions on the 3 masters of `redis-cli --cluster create` land two per master', () => {
  const masters = [
    [0, 5460],
    [5461, 10922],
    [10923, 16383],
  ];
  const perMaster = masters.map(
    ([lo, hi]) => stripeEventQueueNames(6, true).filter((n) => keySlot(n) >= lo && keySlot(n) <= hi).length,
  );
  expect(perMaster).toEqual([2, 2, 2]);
});

test('an event is partitioned by its lock key: the customer, else the object, else the event', () => {
  expect(eventPartitionKey(evt({ id: 'cus_A', object: 'customer' }))).toBe('cus_A');
  expect(eventPartitionKey(evt({ id: 'sub_1', object: 'subscription', customer: 'cus_A' }))).toBe('cus_A');
  expect(eventPartitionKey(evt({ id: 'in_1', object: 'invoice', customer: { id: 'cus_A', object: 'customer' } }))).toBe(
    'cus_A',
  );
  expect(eventPartitionKey(evt({ id: 'in_2', object: 'invoice', customer: null }))).toBe('in_2');
  expect(eventPartitionKey(evt({ id: 'prod_1', object: 'product' }))).toBe('prod_1');
  expect(eventPartitionKey(evt({ object: 'entitlements.active_entitlement_summary', customer: 'cus_A' }))).toBe(
    'cus_A',
  );
  expect(eventPartitionKey(evt({ object: 'balance' }, 'evt_balance'))).toBe('evt_balance');
});

test('partitions are stable, in range, and spread many customers over all of them', () => {
  expect(partitionOf('cus_A', 1)).toBe(0);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 6000; i++) counts[partitionOf(`cus_${i.toString(36)}x`, 6)]++;
  for (const n of counts) expect(n).toBeGreaterThan(700);
  expect(partitionOf('cus_A', 6)).toBe(partitionOf('cus_A', 6));
});
