/**
 * Access-change notifications (contract): after a change commits, its notification is enqueued
 * on the access-notifications queue and its outbox row marked; a delivery POSTs the body to
 * ACCESS_WEBHOOK_URL, signed, and a non-2xx or 10 s without an answer throws so BullMQ retries.
 * A redirect is never followed (a 301/302 would turn the POST into a GET without the body, whose
 * 2xx would count as delivered; a 307/308 would send the signed body to another origin): it is a
 * failed delivery, logged with its Location. At most RESPONSE_READ_LIMIT_BYTES of an answer are read.
 * The `sweep` job (every ACCESS_SWEEP_INTERVAL_MS) recomputes customers whose grace period ran
 * out, re-enqueues outbox rows nobody enqueued (a crash after commit), and prunes old rows.
 * The queue's processor is jobs/access-notifications.ts.
 */
import type { DataSource } from 'typeorm';
import type { AccessChange } from '../access/sync';
import type { AccessOptions } from '../events/access-step';
import { commitAndPublish } from '../events/apply';
import type { Logger } from '../logger';
import { AccessNotificationsQueue, enqueueDeliveries } from '../queues/access-notifications-queue';
import { graceExpired, markEnqueued, pruneOutbox, unenqueued } from './outbox';
import { maskUrl } from '../lib/mask-url';
import { signatureHeader } from './signature';

export const DELIVERY_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer is read (only its status matters): enough for a small body, never an endless one. */
export const RESPONSE_READ_LIMIT_BYTES = 4096;

export interface NotifierDeps {
  dataSource: DataSource;
  queue: AccessNotificationsQueue;
  log: Logger;
  url: string;
  secret: string;
  access: AccessOptions;
}

/** Enqueues the notifications of committed changes and marks their outbox rows. */
export async function publishNotifications(
  deps: Pick<NotifierDeps, 'dataSource' | 'queue'>,
  changes: readonly AccessChange[],
): Promise<void> {
  const bodies = changes.flatMap((c) => (c.notification ? [c.notification] : []));
  if (bodies.length === 0) return;
  await enqueueDeliveries(deps.queue, bodies);
  await markEnqueued(
    deps.dataSource,
    bodies.map((b) => b.id),
  );
}

/** POSTs one notification; throws on anything but a 2xx within the timeout, redirects included. */
export async function deliver(
  target: Pick<NotifierDeps, 'url' | 'secret' | 'log'>,
  body: Record<string, unknown>,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<number> {
  const text = JSON.stringify(body);
  const res = await fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'billing-signature': signatureHeader(text, target.secret, nowSeconds),
    },
    body: text,
    redirect: 'manual',
    signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
  });
  await readSome(res, RESPONSE_READ_LIMIT_BYTES);
  if (res.status >= 300 && res.status < 400) {
    const location = redirectTarget(target.url, res.headers.get('location'));
    target.log.warn(
      { status: res.status, location },
      'access notification receiver redirected; redirects are not followed',
    );
    throw new Error(`receiver answered ${res.status} redirect to ${location}; redirects are not followed`);
  }
  if (res.status < 200 || res.status >= 300) throw new Error(`receiver answered ${res.status}`);
  return res.status;
}

/** Where a redirect points, absolute and with any password masked. */
const redirectTarget = (from: string, location: string | null): string =>
  location === null ? '(no Location)' : maskUrl(URL.canParse(location, from) ? new URL(location, from).href : location);

/** Reads up to `limit` bytes of an answer, then drops the rest (reading a small body lets the connection be reused). */
async function readSome(res: Response, limit: number): Promise<void> {
  const reader = res.body?.getReader();
  if (!reader) return;
  try {
    for (let read = 0; read < limit;) {
      const chunk = await reader.read();
      if (chunk.done) return;
      read += chunk.value.byteLength;
    }
  } catch {
    // The status is what counts; a broken body changes nothing.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** One sweep: expired grace periods, the outbox relay, pruning. Returns what it did (Bull Board). */
export async function sweep(deps: NotifierDeps): Promise<{ graceExpired: number; relayed: number; pruned: number }> {
  const customers = await graceExpired(deps.dataSource, Math.floor(Date.now() / 1000));
  // Their answers again under their locks, with no event: the events' commit path, nothing to write.
  const committed = await commitAndPublish(deps, { items: [], recompute: customers });
  if (committed.stage !== 'published') throw committed.error;
  const pending = await unenqueued(deps.dataSource);
  // A change whose worker died after COMMIT may not be on the access change feed yet: name it first.
  await deps.access.invalidate?.(pending.map((b) => b.data.customer));
  await enqueueDeliveries(deps.queue, pending);
  await markEnqueued(
    deps.dataSource,
    pending.map((b) => b.id),
  );
  return { graceExpired: customers.length, relayed: pending.length, pruned: await pruneOutbox(deps.dataSource) };
}
