/** Pure parts of access-change notifications: the change decision, the signature, the retry span. */
import { accessWriteStatements, decideAccessChanges } from '../../src/access/sync';
import { verifySignature, signatureHeader } from '../../src/notify/signature';
import { NOTIFICATION_ATTEMPTS } from '../../src/queues/access-notifications-queue';
import { cappedExponentialBackoff } from '../../src/queues/job-options';

const NOW = 1_800_000_000;
type Rows = Array<Array<Record<string, unknown>>>;
const reads = (
  over: Partial<{ customer: boolean; subs: string[]; failedAt: number | null; stored: Record<string, unknown> | null }>,
): Rows => [
  over.customer === false ? [] : [{ customer: 'cus_A', deleted: false }],
  (over.subs ?? ['active']).map((status) => ({ customer: 'cus_A', status })),
  over.failedAt === undefined ? [] : [{ customer: 'cus_A', stripe_id: 'in_A', payment_failed_at: over.failedAt }],
  over.stored ? [{ customer: 'cus_A', ...over.stored }] : [],
];
const decide = (rows: Rows, notify = true, graceSeconds = 0) =>
  decideAccessChanges(['cus_A'], rows, { nowSeconds: NOW, graceSeconds, notify });

test('the first answer is a change from "no access": a notification only when it grants access', () => {
  const [granted] = decide(reads({}));
  expect(granted.after).toEqual({
    access: true,
    status: 'active',
    reason: 'subscription_active',
    graceEndsAt: null,
    version: 1,
  });
  expect(granted.notification).toEqual({
    id: 'acc_cus_A_1',
    type: 'customer.access.changed',
    created: NOW,
    data: { customer: 'cus_A', access: true, status: 'active', reason: 'subscription_active', sequence: 1 },
  });
  const [refused] = decide(reads({ subs: ['past_due'] }));
  expect(refused.after.access).toBe(false);
  expect(refused.notification).toBeUndefined();
});

test('the same answer changes nothing; a new reason updates the row without a notification', () => {
  const stored = { access: true, status: 'active', reason: 'subscription_active', version: 4, grace_ends_at: null };
  expect(decide(reads({ stored }))).toEqual([]);
  const [trialing] = decide(reads({ subs: ['trialing'], stored }));
  expect(trialing.after).toMatchObject({ access: true, status: 'trialing', version: 5 });
  expect(trialing.notification).toBeUndefined();
});

test('a failed payment flips access (sequence = version); inside a grace period the end of grace is stored instead', () => {
  const stored = { access: true, status: 'active', reason: 'subscription_active', version: 4, grace_ends_at: null };
  const [cut] = decide(reads({ failedAt: NOW - 10, stored }));
  expect(cut.notification?.data).toEqual({
    customer: 'cus_A',
    access: false,
    status: 'active',
    reason: 'payment_failed:in_A',
    sequence: 5,
  });
  const [grace] = decide(reads({ failedAt: NOW - 10, stored }), true, 60);
  expect(grace.after).toMatchObject({ access: true, reason: 'payment_failed_in_grace_period', graceEndsAt: NOW + 50 });
  expect(grace.notification).toBeUndefined();
  expect(decide(reads({ failedAt: NOW - 10, stored }), false)[0].notification).toBeUndefined();
});

test('a deleted customer has no access', () => {
  const rows = reads({
    stored: { access: true, status: 'active', reason: 'subscription_active', version: 1, grace_ends_at: null },
  });
  rows[0] = [{ customer: 'cus_A', deleted: true }];
  expect(decide(rows)[0].after).toMatchObject({ access: false, reason: 'customer_deleted' });
});

test('writes: one upsert of the answers, outbox rows only for notifications', () => {
  const changes = decide(reads({}));
  const statements = accessWriteStatements(changes);
  expect(statements).toHaveLength(2);
  expect(statements[1].values).toEqual(['acc_cus_A_1', 'cus_A', 1, JSON.stringify(changes[0].notification)]);
  expect(accessWriteStatements([])).toEqual([]);
});

test("signatures follow Stripe's scheme and verify only with the right secret and body", () => {
  const body = '{"id":"acc_cus_A_1"}';
  const header = signatureHeader(body, 'secret-0123456789abcdef', 1_800_000_000);
  expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
  const now = 1_800_000_000;
  expect(verifySignature(body, header, 'secret-0123456789abcdef', now)).toBe(true);
  expect(verifySignature(body.replace('A', 'B'), header, 'secret-0123456789abcdef', now)).toBe(false);
  expect(verifySignature(body, header, 'another-secret-0123456789', now)).toBe(false);
});

test('retries span more than three days even at the low end of the jitter', () => {
  const waits = Array.from({ length: NOTIFICATION_ATTEMPTS - 1 }, (_, i) => cappedExponentialBackoff(i + 1, () => 0));
  expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(72 * 3600 * 1000);
});
