/**
 * Local stand-in for the Stripe API used by the test suite, the demo and the benchmarks.
 * Start it with `await StripeStandIn.start()` and point the real SDK at it:
 * `new Stripe(key, { host: '127.0.0.1', port: standIn.port, protocol: 'http' })`.
 * Started alone: `node dist/stand-in/main.js --port 12111` (see stand-in/README.md).
 */
export { StripeStandIn } from './server';
export type { FaultOptions, RecordedRequest, StandInOptions } from './server';
export type { ControlTarget } from './control';
export { CONTROL_PREFIX } from './control';
export { RESOURCES, type ResourceSpec } from './resources';
export type { MeterEventRecord, MeterEventRejection } from './meters';
export type { MeterBehaviour } from './meter-control';
export type { ThinDelivery, ThinDestination } from './meter-reports';
export type { ListPage } from './store';
export type { StripeObject } from './util';
