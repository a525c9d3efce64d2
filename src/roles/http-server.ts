/** Starting and stopping an HTTP server for a role (the api's port, the worker's METRICS_PORT). */
import { createServer, RequestListener, Server } from 'node:http';

export function listen(handler: RequestListener, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
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
