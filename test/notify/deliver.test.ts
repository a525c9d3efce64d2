/**
 * One notification delivery (notify/notifier.ts `deliver`) against local HTTP servers: a redirect is
 * a failed delivery that names its Location, never followed (a 301/302 turned the POST into a GET
 * whose 2xx counted as delivered; a 307/308 sent the signed body to another origin), and only a
 * small bounded part of an answer is read. The receiver's verification (README, signature.ts)
 * refuses a timestamp more than 300 s away.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { deliver } from '../../src/notify/notifier';
import { signatureHeader, verifySignature } from '../../src/notify/signature';

const SECRET = 'access-hook-secret-0123456789';
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  }
});

interface Seen {
  method: string;
  url: string;
  body: string;
}

/** A server answering with `handler`; returns its base URL and what it received. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      handler(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

const body = { id: 'acc_cus_A_1', type: 'customer.access.changed', data: { customer: 'cus_A' } };

test.each([301, 302, 303])(
  'a %i is a failed delivery naming its Location; the GET it asks for is never made',
  async (status) => {
    const target = await serve((req, res) => {
      if (req.url === '/hook') res.writeHead(status, { location: '/elsewhere?token=x' }).end();
      else res.writeHead(200).end('ok');
    });
    const { log, lines } = capturedLog();
    await expect(deliver({ url: `${target.url}/hook`, secret: SECRET, log }, body)).rejects.toThrow(
      new RegExp(`${status} redirect to ${target.url}/elsewhere`),
    );
    expect(target.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /hook']);
    expect(lines).toEqual([
      expect.objectContaining({
        status,
        location: `${target.url}/elsewhere?token=x`,
        msg: expect.stringMatching(/redirect/),
      }),
    ]);
  },
);

test.each([307, 308])('a %i to another origin never receives the signed body', async (status) => {
  const other = await serve((_, res) => res.writeHead(200).end());
  const target = await serve((_, res) => res.writeHead(status, { location: `${other.url}/steal` }).end());
  const { log } = capturedLog();
  await expect(deliver({ url: `${target.url}/hook`, secret: SECRET, log }, body)).rejects.toThrow(/redirect/);
  expect(other.seen).toEqual([]);
});

test('an endless answer is read only in part: the delivery ends at once, not at the 10 s timeout', async () => {
  const target = await serve((_, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  const { log } = capturedLog();
  const started = Date.now();
  await expect(deliver({ url: `${target.url}/hook`, secret: SECRET, log }, body)).resolves.toBe(200);
  expect(Date.now() - started).toBeLessThan(3000);
});

test('the body is POSTed signed; a 2xx is delivered, anything else fails', async () => {
  let answer = 204;
  const target = await serve((_, res) => res.writeHead(answer).end());
  const { log } = capturedLog();
  await expect(deliver({ url: target.url, secret: SECRET, log }, body, 1_800_000_000)).resolves.toBe(204);
  expect(target.seen[0]).toMatchObject({ method: 'POST', body: JSON.stringify(body) });
  answer = 500;
  await expect(deliver({ url: target.url, secret: SECRET, log }, body)).rejects.toThrow(/500/);
});

test('the receiver side refuses a timestamp more than 300 s from now, either way (replays)', () => {
  const text = JSON.stringify(body);
  const now = 1_800_000_000;
  const at = (t: number) => signatureHeader(text, SECRET, t);
  expect(verifySignature(text, at(now - 300), SECRET, now)).toBe(true);
  expect(verifySignature(text, at(now + 300), SECRET, now)).toBe(true);
  expect(verifySignature(text, at(now - 301), SECRET, now)).toBe(false);
  expect(verifySignature(text, at(now + 301), SECRET, now)).toBe(false);
  expect(verifySignature(text, 't=abc,v1=00', SECRET, now)).toBe(false);
});
