/** The usage counter API for Node services (Redis only; see keys.ts for the layout). */
export { UsageClient, UsageValidationError, aggregateCells } from './client';
export type { UsageClientOptions } from './client';
export { usageKeys, encodeField, decodeField } from './keys';
export type { UsageCell, UsageKeys } from './keys';
export { validateEvents, validateUsageBody, MAX_EVENTS_PER_REQUEST } from './validate';
export type { UsageEvent } from './validate';
export { windowStart, DEFAULT_WINDOW_SECONDS } from './window';
