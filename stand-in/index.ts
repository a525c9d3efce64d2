/**
 * Local stand-in for the Stripe API used by the test suite, the demo and the benchmarks.
 * Start it with `await StripeStandIn.start()` and point the real SDK at it:
 * `new Stripe(key, { host: '127.0.0.1', port: standIn.port, protocol: 'http' })`.
 * The implementation lives in ./stripe-stand-in/.
 */
export { StripeStandIn } from './server';
export type { FaultOptions, RecordedRequest, StandInOptions } from './server';
export type { MeterEventRecord, MeterEventRejection } from './meters';
export type { ListPage } from './store';
export type { StripeObject } from './util';
