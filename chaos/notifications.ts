/**
 * Access-change notifications under faults: a receiver that records what arrives, and the check
 * that every customer's newest notification (by sequence) says what the access rule says of the
 * truth; no notification at all must mean "no access" (the first answer of every customer).
 */
import { verifySignature } from '../src/notify/signature';
import { sleep } from '../src/lib/wait';
import { Receiver } from '../test/support/receiver';
import { accessOracle } from './verify';
import type { World } from './world';

export const NOTIFY_SECRET = 'chaos-access-hook-secret-0123';

export interface NotificationCheck {
  wrong: number;
  received: number;
  badSignatures: number;
  examples: string[];
}

interface Note {
  data: { customer: string; access: boolean; sequence: number };
}

function check(receiver: Receiver, world: World): NotificationCheck {
  const newest = new Map<string, Note>();
  for (const n of receiver.accepted<Note>()) {
    const seen = newest.get(n.data.customer);
    if (!seen || seen.data.sequence < n.data.sequence) newest.set(n.data.customer, n);
  }
  const result: NotificationCheck = { wrong: 0, received: receiver.deliveries.length, badSignatures: 0, examples: [] };
  result.badSignatures = receiver.deliveries.filter(
    (d) => !verifySignature(d.body, String(d.headers['billing-signature']), NOTIFY_SECRET, d.receivedAt),
  ).length;
  for (const c of world.customers) {
    const told = newest.get(c)?.data.access ?? false;
    if (told !== accessOracle(world.truth, c)) {
      result.wrong++;
      if (result.examples.length < 10)
        result.examples.push(`${c}: last told ${told}, truth ${accessOracle(world.truth, c)}`);
    }
  }
  return result;
}

/** Waits up to `timeoutMs` for the notifications to agree with the truth, then reports. */
export async function checkNotifications(
  receiver: Receiver,
  world: World,
  timeoutMs = 60_000,
): Promise<NotificationCheck> {
  const deadline = Date.now() + timeoutMs;
  let result = check(receiver, world);
  while (result.wrong > 0 && Date.now() < deadline) {
    await sleep(500);
    result = check(receiver, world);
  }
  return { ...result, wrong: result.wrong + result.badSignatures };
}
