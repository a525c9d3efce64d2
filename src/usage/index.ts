/**
 * The usage counter API for Node services (Redis only; see keys.ts for the layout): the package entry
 * `stripe-billing-engine/usage` (package.json `exports`, docs/usage.md).
 */
export { UsageClient, UsageValidationError } from './client';
export type { UsageClientOptions, RecordResult } from './client';
export { usageKeys, customerKeys, encodeField, decodeField, LEGACY } from './keys';
export type { UsageCell, UsageKeys, Namespace } from './keys';
export { shardOf, crc32, SHARD_COUNT } from './shard';
export { RECORD_SCRIPT } from './scripts';
export { validateEvents, validateUsageBody, MAX_EVENTS_PER_REQUEST } from './validate';
export type { UsageEvent } from './validate';
export { windowStart, DEFAULT_WINDOW_SECONDS } from './window';
