/**
 * A local HTTP receiver for access-change notifications: records every delivery (body, headers,
 * answer), answers 2xx, or fails a share of them, or is "down" (503) until told otherwise; a test
 * may act on each delivery before it is answered.
 */
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  body: string;
  headers: IncomingHttpHeaders;
  status: number;
  /** When it arrived, unix s: what a receiver checks the signature's timestamp against. */
  receivedAt: number;
}

export class Receiver {
  readonly deliveries: Delivery[] = [];
  /** Share of deliveries answered 500 (decided by `random`). */
  failRate = 0;
  down = false;
  /** Runs on each delivery before it is answered, as a product would act on it (e.g. ask the access API). */
  onDelivery?: (body: string) => Promise<void>;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly random: () => number,
  ) {}

  static async start(random: () => number = Math.random): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const receiver = new Receiver(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/access`,
      random,
    );
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        await receiver.onDelivery?.(body);
        const status = receiver.down ? 503 : receiver.random() < receiver.failRate ? 500 : 200;
        receiver.deliveries.push({ body, headers: req.headers, status, receivedAt: Math.floor(Date.now() / 1000) });
        res.writeHead(status).end();
      });
    });
    return receiver;
  }

  /** The bodies answered 2xx, parsed. */
  accepted<T = Record<string, unknown>>(): T[] {
    return this.deliveries.filter((d) => d.status < 300).map((d) => JSON.parse(d.body) as T);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
