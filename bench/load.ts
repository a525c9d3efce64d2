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

/** Sends the deliveries to POST /webhooks/stripe, in order, one per request. */
export async function postWebhooks(opts: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const started = process.hrtime.bigint();
  let last = started;
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    pipelining: 1,
    ...(opts.seconds ? { duration: opts.seconds } : { amount: opts.deliveries.length }),
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    timeout: 10,
    requests: [{
      method: 'POST',
      path: '/webhooks/stripe',
      setupRequest: (req) => {
        const d = opts.deliveries[next++ % opts.deliveries.length];
        return { ...req, body: d.body, headers: { 'content-type': 'application/json', 'stripe-signature': d.signature } };
      },
    }],
    }, (error, result) => (error ? reject(error) : resolve(result)));
  });
  // autocannon ends a fixed-amount run on its next 1 s tick, up to a second after the last
  // response: stop it at the last response (so the end-to-end clock is not held up either) and
  // time the run to that response.
  let responses = 0;
  instance?.on('response', () => {
    last = process.hrtime.bigint();
    if (!opts.seconds && ++responses === opts.deliveries.length) instance?.stop();
  });
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
