/**
 * Local stand-in for the Stripe API used by the test suite, the demo and the benchmarks.
 * Start it with `await StripeStandIn.start()` and point the real SDK at it:
 * `new Stripe(key, { host: '127.0.0.1', port: standIn.port, protocol: 'http' })`.
 * The implementation lives in ./stripe-stand-in/.
 */
export { StripeStandIn } from './stripe-stand-in/server';
export type { FaultOptions, RecordedRequest, StandInOptions } from './stripe-stand-in/server';
export type { MeterEventRecord, MeterEventRejection } from './stripe-stand-in/meters';
export type { ListPage } from './stripe-stand-in/store';
export type { StripeObject } from './stripe-stand-in/util';
