import { newClaimId } from '../../src/usage/claim';
import { planClaim } from '../../src/usage/plan';
import { parseRange } from '../../src/api/customer-usage';
import { type CustomerSnapshot, type LedgerRow, UNKNOWN_CLAIM_AGE_MS, usageTotals } from '../../src/usage/usage-totals';

const T = 1_800_000_000_000; // snapshot time, ms
const W = 1_799_996_400; // a window start, s
const opts = { keyPrefix: 'p', windowSeconds: 3600, starts: [] };
const range = { from: W - 86_400, to: W + 86_400 };
const cell = (value: string, meter = 'api_calls', windowStart = W) => ({
  customer: 'cus_A',
  meter,
  windowStart,
  value,
});
const snap = (over: Partial<CustomerSnapshot> = {}): CustomerSnapshot => ({
  timeMs: T,
  pending: [],
  open: [],
  released: [],
  ...over,
});
/** The ledger rows a drain writes for `cells` of claim `claimId`. */
const rowsOf = (claimId: string, cells: ReturnType<typeof cell>[]): LedgerRow[] =>
  planClaim(claimId, cells, { ...opts, nowSeconds: 0, starts: new Map() }).events.map((e) => ({
    identifier: e.identifier,
    claimId,
    meter: e.meter,
    value: e.value,
    windowStart: e.windowStart,
    windowEnd: e.windowEnd,
  }));

describe('usageTotals: every unit in sent or pending, never both', () => {
  const claimed = newClaimId(T - 5000, 3600);
  test('before a drain: pending only', () => {
    expect(usageTotals([snap({ pending: [cell('5')] })], [], range, opts)).toEqual({
      api_calls: { sent: 0, pending: 5 },
    });
  });
  test('claimed, not sent yet: pending', () => {
    expect(usageTotals([snap({ open: [{ claimId: claimed, cells: [cell('5')] }] })], [], range, opts)).toEqual({
      api_calls: { sent: 0, pending: 5 },
    });
  });
  test('claimed and in the ledger, not released yet: sent', () => {
    const s = snap({ open: [{ claimId: claimed, cells: [cell('5')] }] });
    expect(usageTotals([s], rowsOf(claimed, [cell('5')]), range, opts)).toEqual({ api_calls: { sent: 5, pending: 0 } });
  });
  test('released before the snapshot: sent', () => {
    expect(usageTotals([snap({ released: [claimed] })], rowsOf(claimed, [cell('5')]), range, opts)).toEqual({
      api_calls: { sent: 5, pending: 0 },
    });
  });
  test('claimed and sent between the Redis read and the ledger read: still pending only', () => {
    const after = newClaimId(T + 3, 3600);
    expect(usageTotals([snap({ pending: [cell('5')] })], rowsOf(after, [cell('5')]), range, opts)).toEqual({
      api_calls: { sent: 0, pending: 5 },
    });
  });
  test('a claim released long ago (no longer listed): its rows are sent', () => {
    const old = newClaimId(T - UNKNOWN_CLAIM_AGE_MS - 1, 3600);
    expect(usageTotals([snap()], rowsOf(old, [cell('5')]), range, opts)).toEqual({
      api_calls: { sent: 5, pending: 0 },
    });
  });
  test('the shard and the legacy namespace add up; the range is by window start, [from, to)', () => {
    const legacy = snap({ pending: [cell('2', 'storage_gb')] });
    const shard = snap({ pending: [cell('3'), cell('100', 'api_calls', range.to)], timeMs: T + 10 });
    expect(
      usageTotals([shard, legacy], rowsOf(claimed, [cell('7', 'api_calls', range.from - 3600)]), range, opts),
    ).toEqual({
      api_calls: { sent: 0, pending: 3 },
      storage_gb: { sent: 0, pending: 2 },
    });
  });
});

describe('usageTotals: the window a subscription started in belongs to the period it started', () => {
  const S = W + 1980; // the subscription starts 33 minutes into window W
  const claimed = newClaimId(T - 5000, 3600);
  const period = { from: S, to: S + 30 * 86_400 };
  const before = { from: S - 86_400, to: S };
  const withStart = { ...opts, starts: [S] };
  const snapshots = [
    snap({ pending: [cell('2')], open: [{ claimId: claimed, cells: [cell('3', 'storage_gb')] }], released: [claimed] }),
  ];
  const rows = rowsOf(newClaimId(T - UNKNOWN_CLAIM_AGE_MS - 1, 3600), [
    cell('5', 'api_calls', W),
    cell('7', 'api_calls', W - 3600),
  ]);
  test('pending, claimed and sent units of that window are in the period, not before it', () => {
    expect(usageTotals(snapshots, rows, period, withStart)).toEqual({
      api_calls: { sent: 5, pending: 2 },
      storage_gb: { sent: 0, pending: 3 },
    });
    expect(usageTotals(snapshots, rows, before, withStart)).toEqual({ api_calls: { sent: 7, pending: 0 } });
  });
  test('a period that began at a renewal (no subscription start): the window stays with the period before', () => {
    expect(usageTotals(snapshots, rows, period, opts)).toEqual({});
    expect(usageTotals(snapshots, rows, before, opts)).toEqual({
      api_calls: { sent: 12, pending: 2 },
      storage_gb: { sent: 0, pending: 3 },
    });
  });
});

describe('parseRange', () => {
  test.each([
    [{ from: 'x', to: '5' }, 'from: '],
    [{ from: '1' }, 'to: '],
    [{ from: '1.5', to: '9' }, 'from: '],
    [{ from: '5', to: '5' }, 'from: must be before to'],
    [{ from: '1', to: ['2', '3'] }, 'to: '],
    [{ from: '-999999999999', to: '5' }, 'from: '],
    [{ from: '-10', to: '-5' }, 'from: '],
  ])('%j → the field named', (query, error) => {
    const r = parseRange(query);
    expect(!r.ok && r.error).toContain(error);
  });
  test('none, or both integers with from < to', () => {
    expect(parseRange({})).toEqual({ ok: true });
    expect(parseRange({ from: '10', to: '20' })).toEqual({ ok: true, range: { from: 10, to: 20 } });
  });
});
