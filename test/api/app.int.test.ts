/**
 * The app's one error sink (src/api/app.ts): a 5xx answers with no internals and is logged once
 * with the error object, so the log line carries the error's type and stack (pino's err
 * serializer), not only its message. The service's own logger writes into a captured stream.
 */
import { createLogger } from '../../src/logger';
import { startTestService, TestService } from '../support/service';

interface Line {
  level: number;
  msg: string;
  path?: string;
  method?: string;
  err?: { type: string; message: string; stack: string };
}

const lines: Line[] = [];
let t: TestService;
beforeAll(async () => {
  const log = createLogger('error', { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  t = await startTestService({ ROLE: 'api' }, log);
});
afterAll(async () => {
  await t.stop();
});

test('a 500 answers "internal error" and logs the error with its type and stack', async () => {
  // A real failure below the route: the table the access answer is read from is gone.
  await t.service.dataSource.query('ALTER TABLE customer_access RENAME TO customer_access_gone');
  const res = await t.v1('GET', '/customers/cus_Stack0001/access');
  expect({ status: res.status, body: res.json }).toEqual({ status: 500, body: { error: 'internal error' } });
  const failed = lines.filter((l) => l.msg === 'request failed');
  expect(failed).toHaveLength(1);
  const [line] = failed;
  expect(line).toMatchObject({ level: 50, path: '/v1/customers/cus_Stack0001/access', method: 'GET' });
  expect(line.err).toMatchObject({ type: 'QueryFailedError', message: expect.stringMatching(/customer_access/) });
  expect(line.err?.stack).toMatch(/^QueryFailedError: .*customer_access[^]*\n\s+at /);
});
