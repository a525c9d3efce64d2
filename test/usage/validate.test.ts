import { validateUsageBody } from '../../src/usage/validate';

const now = 1_800_000_000;
const ok = { customer: 'cus_123', meter: 'api_calls', value: 5 };

describe('validateUsageBody', () => {
  test('one event; timestamp defaults to now', () => {
    expect(validateUsageBody(ok, now)).toEqual({ ok: true, value: [{ ...ok, timestamp: now }] });
  });
  test('a batch of up to 1,000', () => {
    const r = validateUsageBody({ events: Array.from({ length: 1000 }, () => ok) }, now);
    expect(r.ok && r.value.length).toBe(1000);
  });
  test.each([
    [{ ...ok, customer: 'acct_1' }, 'customer: '],
    [{ ...ok, meter: 'has space' }, 'meter: '],
    [{ ...ok, meter: 'a|b' }, 'meter: '],
    [{ ...ok, value: -1 }, 'value: '],
    [{ ...ok, value: 1.5 }, 'value: '],
    [{ ...ok, value: 2 ** 53 }, 'value: '],
    [{ ...ok, value: '5' }, 'value: '],
    [{ ...ok, timestamp: now - 35 * 86_400 - 1 }, 'timestamp: must be within the past 35 days'],
    [{ ...ok, timestamp: now + 301 }, 'timestamp: must be at most 5 minutes in the future'],
    [{ ...ok, extra: 1 }, 'extra: unknown field'],
    ['text', 'body: must be an object'],
    [{ events: [] }, 'events: must hold 1 to 1000 events, got 0'],
    [{ events: Array.from({ length: 1001 }, () => ok) }, 'events: must hold 1 to 1000 events, got 1001'],
    [{ events: 'x' }, 'events: must be an array'],
    [{ ...ok, id: '' }, 'id: '],
    [{ ...ok, id: 'x'.repeat(101) }, 'id: '],
    [{ ...ok, id: 'has space' }, 'id: '],
    [{ ...ok, id: 'a|b' }, 'id: '],
    [{ ...ok, id: 'é' }, 'id: '],
    [{ ...ok, id: 42 }, 'id: '],
    [
      {
        events: [
          { ...ok, id: 'fine' },
          { ...ok, id: 'no/slash' },
        ],
      },
      'events[1].id: ',
    ],
  ])('%j is refused naming the field', (body, message) => {
    const r = validateUsageBody(body, now);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(message);
  });
  test('a bad element names its index and rejects the whole batch', () => {
    expect(validateUsageBody({ events: [ok, ok, ok, { ...ok, value: -3 }] }, now)).toEqual({
      ok: false,
      error: 'events[3].value: must be an integer between 0 and 2^53-1',
    });
  });
  test('an id of 1 to 100 allowed characters is kept', () => {
    const id = `A-z_0.9:${'x'.repeat(92)}`;
    expect(validateUsageBody({ ...ok, id }, now)).toEqual({ ok: true, value: [{ ...ok, timestamp: now, id }] });
    expect(validateUsageBody({ ...ok, id: 'x' }, now).ok).toBe(true);
  });
  test('edges of the Stripe time window are accepted', () => {
    expect(
      validateUsageBody(
        {
          events: [
            { ...ok, timestamp: now - 35 * 86_400 },
            { ...ok, timestamp: now + 300 },
          ],
        },
        now,
      ).ok,
    ).toBe(true);
  });
});
