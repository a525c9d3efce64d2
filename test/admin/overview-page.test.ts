/** The overview's decisions and its rendering of what it could not read. */
import type { Overview, QueueRow } from '../../src/admin/overview-model';
import { overviewBody, queueAttention } from '../../src/admin/overview-page';
import { queueKind } from '../../src/admin/queue-kinds';

const row = (over: Partial<QueueRow>): QueueRow => ({
  name: 'stripe-events',
  kind: 'stripe-events',
  waiting: 0,
  active: 0,
  delayed: 0,
  failed: 0,
  oldestWaitingAt: null,
  ...over,
});

test('a queue needs attention when a job failed, or its oldest waiting job is over a minute old', () => {
  const now = 1_000_000;
  expect(queueAttention(row({}), now)).toBe('ok');
  expect(queueAttention(row({ waiting: 3, oldestWaitingAt: now - 59_000 }), now)).toBe('ok');
  expect(queueAttention(row({ waiting: 3, oldestWaitingAt: now - 61_000 }), now)).toBe('warn');
  expect(queueAttention(row({ failed: 1 }), now)).toBe('bad');
});

test.each([
  ['stripe-events', 'stripe-events'],
  ['stripe-events-3{17}', 'stripe-events'],
  ['usage-drain', 'usage-drain'],
  ['{usage-drain}', 'usage-drain'],
  ['{access-notifications}', 'access-notifications'],
  ['maintenance', 'maintenance'],
  ['something-else', 'other'],
])('queue %s is %s', (name, kind) => expect(queueKind(name)).toBe(kind));

test('failed counts link into Bull Board; a part that could not be read says why, escaped', () => {
  const overview: Overview = {
    now: 1_000_000,
    postgres: { ok: true, value: 3 },
    redis: { ok: false, error: 'Redis timed out <after 3000 ms>' },
    queues: { ok: true, value: [row({ name: 'stripe-events-0{5}', failed: 2 })] },
    received: { ok: true, value: null },
    applied: { ok: true, value: null },
    drain: null,
    notifications: null,
    reconciliation: { ok: true, value: { differing: [], refusedSince: 0, lastCheckedAt: null } },
  };
  const text = overviewBody(overview, false).text;
  expect(text).toContain('href="/admin/queues/queue/stripe-events-0%7B5%7D?status=failed"');
  expect(text).toContain('2 failed');
  expect(text).toContain('Redis timed out &lt;after 3000 ms&gt;');
  expect(text).toContain('ACCESS_WEBHOOK_URL is not set');
});

test('the last reconciliation: hours that differ per outcome with units and meters, refusals, and the fix', () => {
  const base: Omit<Overview, 'reconciliation'> = {
    now: 1_000_000_000,
    postgres: { ok: true, value: 3 },
    redis: { ok: true, value: 1 },
    queues: { ok: true, value: [] },
    received: { ok: true, value: null },
    applied: { ok: true, value: null },
    drain: null,
    notifications: null,
  };
  const clean = overviewBody(
    { ...base, reconciliation: { ok: true, value: { differing: [], refusedSince: 0, lastCheckedAt: 999_000 } } },
    false,
  ).text;
  expect(clean).toContain('every compared hour matches Stripe');
  expect(clean).not.toContain('--fix');
  const differing = overviewBody(
    {
      ...base,
      reconciliation: {
        ok: true,
        value: {
          differing: [{ outcome: 'missing', hours: 2, units: '30', meters: ['api_calls', 'tokens'] }],
          refusedSince: 4,
          lastCheckedAt: 999_000,
        },
      },
    },
    false,
  ).text;
  expect(differing).toMatch(/missing<\/dt>\s*<dd class="bad">2 hour\(s\), 30 units \(api_calls, tokens\)/);
  expect(differing).toContain('4 meter event(s)');
  expect(differing).toContain('npm run usage:reconcile -- --fix');
});
