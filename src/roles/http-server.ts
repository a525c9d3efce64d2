/**
 * Starting and stopping an HTTP server for a role (the api's port, the worker's METRICS_PORT).
 * Timeouts fit what the routes receive: a webhook or an API call is at most 1 MiB, sent at once by
 * a server, so a client that takes longer than these is slow on purpose or broken, and gets 408
 * instead of holding a connection for Node's 60 s (headers) and 300 s (whole request).
 */
import { createServer, RequestListener, Server } from 'node:http';

/** Longest wait for a request's headers. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** Longest wait for a whole request, body included (1 MiB takes 30 s only below 35 KB/s). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How often Node checks those timeouts (its default, 30 s, would let them run 30 s late). */
const TIMEOUT_CHECK_MS = 1000;

export interface ServerTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export function listen(
  handler: RequestListener,
  port: number,
  timeouts: ServerTimeouts = { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS },
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(
      {
        headersTimeout: timeouts.headersTimeoutMs,
        requestTimeout: timeouts.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, timeouts.headersTimeoutMs),
      },
      handler,
    );
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}

/** Stops accepting connections, drops idle keep-alive sockets, and resolves once in-flight requests ended. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
