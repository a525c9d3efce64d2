import {
  aggregateClaim,
  eventIdentifier,
  MAX_EVENTS_PER_BATCH,
  planClaim,
  toBatches,
  toStreamEvent,
} from '../../src/usage/plan';
import { flushSlot } from '../../src/usage/invoice-flush';
import { nextSlot } from '../../src/lib/rate-limiter';
import { claimTimeMs, claimWindowSeconds, isPagedClaim, newClaimId } from '../../src/usage/claim';
import { decodeField, encodeField, usageKeys } from '../../src/usage/keys';
import { isValidWindow, windowStart } from '../../src/usage/window';

const cell = (customer: string, meter: string, start: number, value: string) => ({
  customer,
  meter,
  windowStart: start,
  value,
});

describe('windows', () => {
  test('floor to UTC-aligned windows', () => {
    expect(windowStart(1_767_229_199, 3600)).toBe(1_767_225_600);
    expect(windowStart(1_767_225_600, 3600)).toBe(1_767_225_600);
    expect(windowStart(119, 60)).toBe(60);
  });
  test('only sizes that tile a day are valid', () => {
    expect([60, 300, 3600, 86_400].every(isValidWindow)).toBe(true);
    expect([0, 7, 7000, 1.5].some(isValidWindow)).toBe(false);
  });
});

describe('key layout', () => {
  test('all keys of a shard share its {u<s>} hash tag under the prefix; legacy keeps {u}', () => {
    const k = usageKeys('billing', 7);
    for (const key of [k.pending, k.claims, k.released, k.invalid, k.flush, k.claim('x'), k.eventId('cus_A', 'e1')])
      expect(key).toMatch(/^billing:usage:\{u7\}:/);
    expect(k.eventId('cus_A', 'e1')).toBe('billing:usage:{u7}:id:cus_A|e1');
    expect(usageKeys('billing', 'legacy').pending).toBe('billing:usage:{u}:pending');
  });
  test('fields round-trip; malformed ones decode to null', () => {
    const c = { customer: 'cus_A1', meter: 'api.calls', windowStart: 3600 };
    expect(decodeField(encodeField(c))).toEqual(c);
    for (const bad of ['cus_A1|m', 'x|m|1', 'cus_A|m|-1', 'cus_A|m|1|2', 'cus_A||1'])
      expect(decodeField(bad)).toBeNull();
  });
  test('claim ids carry their window size', () => {
    expect(claimWindowSeconds(newClaimId(5, 60), 3600)).toBe(60);
    expect(claimWindowSeconds('legacy', 3600)).toBe(3600);
    expect(claimWindowSeconds('5-w60-0a1b2c3d4e5f', 3600)).toBe(60); // made before paging
  });
  test('new claims are paged and carry their time; older ones are not paged', () => {
    expect(isPagedClaim(newClaimId(5, 60))).toBe(true);
    expect(isPagedClaim('5-w60-0a1b2c3d4e5f')).toBe(false);
    expect(claimTimeMs(newClaimId(1_764_000_000_123, 60))).toBe(1_764_000_000_123);
  });
});

describe('aggregation and planning', () => {
  test('sums cells of one (customer, meter, window) beyond 2^53 and drops zero sums', () => {
    const agg = aggregateClaim(
      [
        cell('cus_A', 'm', 3600, '9007199254740991'),
        cell('cus_A', 'm', 3700, '2'),
        cell('cus_B', 'm', 0, '5'),
        cell('cus_B', 'm', 10, '-5'),
      ],
      3600,
    );
    expect(agg).toEqual([cell('cus_A', 'm', 3600, '9007199254740993')]);
  });
  test('identifiers are deterministic per (prefix, claim, customer, meter, window) and distinct otherwise', () => {
    const a = eventIdentifier('p', 'c1', 'cus_A', 'm', 0);
    expect(eventIdentifier('p', 'c1', 'cus_A', 'm', 0)).toBe(a);
    expect(a).toMatch(/^u_[0-9a-f]{40}$/);
    const others: Array<[string, string, string, string, number]> = [
      ['q', 'c1', 'cus_A', 'm', 0],
      ['p', 'c2', 'cus_A', 'm', 0],
      ['p', 'c1', 'cus_B', 'm', 0],
      ['p', 'c1', 'cus_A', 'n', 0],
      ['p', 'c1', 'cus_A', 'm', 60],
    ];
    const ids = others.map(([p, c, cus, m, w]) => eventIdentifier(p, c, cus, m, w));
    expect(new Set(ids).size).toBe(5);
    expect(ids).not.toContain(a);
  });
  test('a plan sends positive sums and sets negative ones aside', () => {
    const now = 1_800_000_000;
    const ws = windowStart(now, 3600);
    const plan = planClaim('c1', [cell('cus_A', 'm', ws + 5, '3'), cell('cus_B', 'm', ws, '-1')], {
      keyPrefix: 'p',
      windowSeconds: 3600,
      nowSeconds: now,
      starts: new Map(),
    });
    expect(plan.negative).toEqual([cell('cus_B', 'm', ws, '-1')]);
    expect(plan.events).toEqual([
      expect.objectContaining({
        customer: 'cus_A',
        meter: 'm',
        value: '3',
        windowStart: ws,
        windowEnd: ws + 3600,
        timestamp: ws,
      }),
    ]);
    expect(toStreamEvent(plan.events[0])).toEqual({
      event_name: 'm',
      identifier: plan.events[0].identifier,
      timestamp: new Date(ws * 1000).toISOString(),
      payload: { stripe_customer_id: 'cus_A', value: '3' },
    });
  });
  test('a paged claim plans the same events whatever the pages; unaligned sums get their own identifiers', () => {
    const opts = { keyPrefix: 'p', windowSeconds: 3600, nowSeconds: 1_800_000_000, starts: new Map() };
    const id = newClaimId(1, 3600);
    const cells = [
      cell('cus_A', 'm', 3600, '4'),
      cell('cus_A', 'm', 3605, '2'),
      cell('cus_A', 'm', 3700, '1'),
      cell('cus_B', 'm', 0, '7'),
    ];
    const whole = planClaim(id, cells, opts).events;
    expect(whole.map((e) => [e.customer, e.value])).toEqual([
      ['cus_A', '4'],
      ['cus_B', '7'],
      ['cus_A', '3'],
    ]);
    expect(whole[2].identifier).toBe(eventIdentifier('p', id, 'cus_A', 'm', 3600, true));
    expect(whole[2].identifier).not.toBe(whole[0].identifier);
    // The drain sends aligned cells page by page and the unaligned ones summed at the end.
    const paged = [
      ...planClaim(id, [cells[3]], opts).events,
      ...planClaim(id, [cells[0]], opts).events,
      ...planClaim(id, [cells[1], cells[2]], opts).events,
    ];
    expect(new Set(paged.map((e) => `${e.identifier}=${e.value}`))).toEqual(
      new Set(whole.map((e) => `${e.identifier}=${e.value}`)),
    );
    // Claims from before paging are summed whole, as they were then.
    expect(planClaim('5-w3600-0a1b2c3d4e5f', cells, opts).events.map((e) => e.value)).toEqual(['7', '7']);
  });
  test.each([0, 1, 99, 100, 101, 250, 1000])('%i events → ⌈n/100⌉ batches of at most 100', (n) => {
    const batches = toBatches(Array.from({ length: n }, (_, i) => i));
    expect(batches).toHaveLength(Math.ceil(n / MAX_EVENTS_PER_BATCH));
    expect(batches.every((b) => b.length <= 100 && b.length > 0)).toBe(true);
    expect(batches.flat()).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});

test('rate limiter slots are spaced by the interval and never in the past', () => {
  expect(nextSlot(-Infinity, 1000, 50)).toBe(1000);
  expect(nextSlot(1000, 1010, 50)).toBe(1050);
  expect(nextSlot(1000, 2000, 50)).toBe(2000);
});

describe('flushSlot (invoice flushes gathered per slot)', () => {
  test('every moment of a slot asks for the same job, which runs after the slot ends', () => {
    const slotMs = 10_000;
    const first = flushSlot(1_767_225_600_000, slotMs);
    const last = flushSlot(1_767_225_609_999, slotMs);
    expect(first.jobId).toBe(last.jobId);
    expect(1_767_225_600_000 + first.delayMs).toBe(1_767_225_610_250);
    expect(1_767_225_609_999 + last.delayMs).toBe(1_767_225_610_250);
    expect(flushSlot(1_767_225_610_000, slotMs).jobId).not.toBe(first.jobId);
  });
});
