/**
 * HTTP plumbing of the Stripe stand-in: header access, body reading/parsing (form or JSON) and
 * writing a Reply with the headers Stripe sends (Request-Id, Stripe-Version, Idempotency-Key).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from './errors';
import { isRecord, parseForm, randomId } from './util';

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export function parseBody(contentType: string, raw: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) {
    try {
      const v: unknown = JSON.parse(raw);
      return isRecord(v) ? v : { _json: v };
    } catch {
      return { _invalid_json: raw };
    }
  }
  return parseForm(raw);
}

export function send(res: ServerResponse, reply: Reply, reqHeaders: IncomingHttpHeaders): void {
  if (res.destroyed || res.writableEnded) return;
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Request-Id': randomId('req', 14),
    'Stripe-Version': header(reqHeaders, 'stripe-version') ?? '2026-10-28.endive',
    ...reply.headers,
  };
  const key = header(reqHeaders, 'idempotency-key');
  if (key) headers['Idempotency-Key'] = key;
  res.writeHead(reply.status, headers);
  res.end(text);
}
