/**
 * The HTTP server of a role (roles/http-server.ts): header and request timeouts that fit a webhook
 * and an API call, instead of Node's 60 s and 300 s that let a slow client hold a connection open
 * for minutes. Real sockets against a real server.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, HEADERS_TIMEOUT_MS, listen, REQUEST_TIMEOUT_MS } from '../../src/roles/http-server';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await closeServer(server);
  }
});

/** Reads the whole body before it answers, as the webhook route does. */
const ok = (req: IncomingMessage, res: ServerResponse) => req.resume().on('end', () => res.end('ok'));

test('the timeouts fit a webhook or an API call (a 1 MiB body within 30 s, headers within 10 s)', async () => {
  const server = await listen(ok, 0);
  servers.push(server);
  expect([server.headersTimeout, server.requestTimeout]).toEqual([HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS]);
  expect(HEADERS_TIMEOUT_MS).toBe(10_000);
  expect(REQUEST_TIMEOUT_MS).toBe(30_000);
});

/** Opens a socket, sends `text` and never finishes the request; resolves with what came back once the server closed it. */
function slowClient(server: Server, text: string): Promise<{ answer: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, ms: Date.now() - started }));
  });
}

test.each([
  ['headers that never end', 'POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\n'],
  [
    'a body that never comes',
    'POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nStripe-Signature: t=1,v1=x\r\nContent-Length: 1000\r\n\r\n{',
  ],
])('%s: answered 408 and closed once its timeout passed', async (_, text) => {
  const server = await listen(ok, 0, { headersTimeoutMs: 300, requestTimeoutMs: 600 });
  servers.push(server);
  const { answer, ms } = await slowClient(server, text);
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
  expect(ms).toBeLessThan(5000);
});
