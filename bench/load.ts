/** The load generator: autocannon, each request carrying the next pre-signed body. */
import autocannon from 'autocannon';
import type { Delivery } from './events';

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  deliveries: readonly Delivery[];
  connections: number;
  /** Requests per second over all connections (latency runs); unset = as fast as it goes. */
  rate?: number;
  /** Stop after this many seconds (rate runs); unset = send every delivery once. */
  seconds?: number;
}

/**
 * autocannon finishes a run only on its sample tick (1 s by default; `stop()` just sets a flag the
 * tick reads), so a fixed-amount run resolved up to a second after its last response, and the
 * end-to-end clock, which waits for it, ran on. Fixed-amount runs tick every 100 ms instead.
 */
export const FIXED_AMOUNT_SAMPLE_MS = 100;

/** Sends the deliveries to POST /webhooks/stripe, in order, one per request. */
export async function postWebhooks(opts: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const started = process.hrtime.bigint();
  let last = started;
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        pipelining: 1,
        ...(opts.seconds
          ? { duration: opts.seconds }
          : { amount: opts.deliveries.length, sampleInt: FIXED_AMOUNT_SAMPLE_MS }),
        ...(opts.rate ? { overallRate: opts.rate } : {}),
        timeout: 10,
        requests: [
          {
            method: 'POST',
            path: '/webhooks/stripe',
            setupRequest: (req) => {
              const d = opts.deliveries[next++ % opts.deliveries.length];
              return {
                ...req,
                body: d.body,
                headers: { 'content-type': 'application/json', 'stripe-signature': d.signature },
              };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  // A fixed-amount run is timed to its last response, not to the tick that ends it.
  instance?.on('response', () => (last = process.hrtime.bigint()));
  const result = await finished;
  const seconds = opts.seconds ? result.duration : Number(last - started) / 1e9;
  return {
    requests: result.requests.total,
    seconds,
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
