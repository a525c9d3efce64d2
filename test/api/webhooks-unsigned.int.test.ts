/**
 * POST /webhooks/stripe without a Stripe-Signature header is refused before its body is read: a
 * client announcing 1 MiB and sending a few bytes gets its 400 at once, and the connection is
 * closed rather than drained (before, the route read up to 1 MiB first, waiting for all of it).
 */
import { request } from 'node:http';
import { startTestService, TestService } from '../support/service';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => t.stop());

/** Sends the headers and `sent` bytes of a body announced as `length`, never the rest; resolves with the answer. */
function partialPost(headers: Record<string, string>, length: number, sent: string) {
  const started = Date.now();
  return new Promise<{ status: number; body: string; connection: string | undefined; ms: number }>(
    (resolve, reject) => {
      const req = request(`${t.url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(length), ...headers },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection, ms: Date.now() - started });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.write(sent);
    },
  );
}

test('no Stripe-Signature: 400 before the body is read, connection closed', async () => {
  const answer = await partialPost({}, 1024 * 1024, '{"id":"evt_');
  expect(answer).toMatchObject({ status: 400, connection: 'close' });
  expect(JSON.parse(answer.body)).toEqual({ error: 'missing Stripe-Signature header' });
  expect(answer.ms).toBeLessThan(2000);
  expect(await t.service.eventQueues!.getJobCounts()).toMatchObject({ waiting: 0, completed: 0, failed: 0 });
});

test('with a signature header the body is still read first (and a bad signature is a 400 after it)', async () => {
  const body = '{"id":"evt_1"}';
  const res = await fetch(`${t.url}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
    body,
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: string }).error).toMatch(/invalid signature/);
});
