/** The request log of the Stripe stand-in: what was received, and how tests count it. */
import type { IncomingHttpHeaders } from 'node:http';

/** One request as the stand-in received it (`faulted` when an injected fault answered it). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  rawBody: string;
  headers: IncomingHttpHeaders;
  status?: number;
  faulted?: boolean;
}

/** A predicate, or `{ method, pathPrefix }` (both optional). */
export type RequestFilter = ((r: RecordedRequest) => boolean) | { method?: string; pathPrefix?: string };

export function requestPredicate(filter: RequestFilter): (r: RecordedRequest) => boolean {
  if (typeof filter === 'function') return filter;
  return (r) =>
    (!filter.method || r.method === filter.method.toUpperCase()) &&
    (!filter.pathPrefix || r.path.startsWith(filter.pathPrefix));
}
