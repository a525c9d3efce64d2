/**
 * Stripe-style webhook delivery: each attempt is signed afresh (like Stripe's own retries), any
 * non-2xx, connection error or timeout is retried with backoff until a 2xx or the deadline.
 * Every answer is recorded, so scenarios can prove "no 2xx for an event that was not stored".
 */
import { Agent, request } from 'node:http';
import { signedDelivery } from '../stand-in/events';
import { sleep } from '../src/lib/wait';

export interface Attempt {
  eventId: string;
  status: number; // 0 = connection error or timeout
  ms: number;
  at: number;
  /** Why a status-0 attempt failed (`timeout`, `ECONNRESET`, …). */
  error?: string;
}

export interface PostResult {
  status: number;
  ms: number;
  text: string;
}

/**
 * A keep-alive agent that drops an idle socket a second before the server would (Node honours the
 * server's `Keep-Alive: timeout=5` hint only when the agent has a timeout of its own). Without it a
 * socket idle for the server's 5 s can be reused as the server closes it: a status-0 answer
 * (ECONNRESET) that no server fault caused.
 */
export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, timeout: 60_000 });
}

/** One HTTP request with a hard timeout; never rejects (status 0 on any transport failure, its code as `text`). */
export function post(
  agent: Agent,
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  timeoutMs: number,
  method = 'POST',
): Promise<PostResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number, text = '') => {
      if (settled) return;
      settled = true;
      resolve({ status, ms: Date.now() - started, text });
    };
    const req = request(
      url,
      { method, agent, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        res.on('error', (error: NodeJS.ErrnoException) => finish(0, error.code ?? error.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => finish(0, error.code ?? error.message));
    req.end(body);
  });
}

export class Deliverer {
  readonly attempts: Attempt[] = [];
  private readonly agent: Agent;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly opts: { sockets?: number; timeoutMs?: number } = {},
  ) {
    this.agent = keepAliveAgent(opts.sockets ?? 64);
  }

  /** One signed delivery attempt. */
  async once(event: { id: string }): Promise<number> {
    const { body, signature } = signedDelivery(event, this.secret);
    const res = await post(
      this.agent,
      `${this.url}/webhooks/stripe`,
      body,
      { 'content-type': 'application/json', 'stripe-signature': signature },
      this.opts.timeoutMs ?? 15_000,
    );
    this.attempts.push({
      eventId: event.id,
      status: res.status,
      ms: res.ms,
      at: Date.now() - res.ms,
      ...(res.status === 0 ? { error: res.text } : {}),
    });
    return res.status;
  }

  /** Delivers until a 2xx (Stripe's retries, compressed from hours to seconds); false at the deadline. */
  async untilAccepted(event: { id: string }, deadline: number, maxBackoffMs = 4000): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const status = await this.once(event);
      if (status >= 200 && status < 300) return true;
      if (Date.now() > deadline) return false;
      await sleep(Math.min(maxBackoffMs, 250 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }

  /** Attempts per status code, e.g. `{ "200": 9990, "503": 120 }`. */
  statusCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const a of this.attempts) counts[a.status] = (counts[a.status] ?? 0) + 1;
    return counts;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(lanes);
}

/** Like `pool`, but item i does not start before `startedAt + i / perSecond` (steady load over time). */
export async function paced<T>(
  items: readonly T[],
  perSecond: number,
  concurrency: number,
  fn: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  const startedAt = Date.now();
  await pool(items, concurrency, async (item, i) => {
    const due = startedAt + (i * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    await fn(item, i);
  });
}
