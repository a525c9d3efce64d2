import { busyHostWarning, QUIET_CORE_SPEED } from '../../bench/cpu';

describe('the busy-host warning under the benchmark goals', () => {
  test('none for a quiet run, or a report made before core speed was recorded', () => {
    expect(busyHostWarning({ start: QUIET_CORE_SPEED, end: 300 })).toEqual([]);
    expect(busyHostWarning(undefined)).toEqual([]);
  });
  test('a slow core before or after the run is enough, and the warning gives both figures', () => {
    expect(busyHostWarning({ start: 310, end: 180 }).join('\n')).toContain('one core did 310 and 180 HMAC-SHA256/ms');
    expect(busyHostWarning({ start: 200, end: 320 })).not.toEqual([]);
  });
});
