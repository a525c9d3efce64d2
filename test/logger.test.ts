/**
 * The logger (src/logger.ts) writes an error under `err` with its type, stack and causes, every
 * inner error of an AggregateError, and never what an error carries of its request: an ioredis
 * error's command arguments or a TypeORM query's parameters.
 */
import { createLogger } from '../src/logger';

function logged(err: unknown): Record<string, unknown> {
  const lines: string[] = [];
  createLogger('info', { write: (line: string) => void lines.push(line) }).error({ err }, 'failed');
  return (JSON.parse(lines[0]) as { err: Record<string, unknown> }).err;
}

/** An error as ioredis rejects a command with (its arguments attached). */
function redisError(message: string): Error {
  return Object.assign(new Error(message), { command: { name: 'evalsha', args: ['sha', '{"body":"webhook"}'] } });
}

test('an error is written with its type, stack and cause', () => {
  const err = logged(new TypeError('outer', { cause: new RangeError('inner') }));
  expect(err).toMatchObject({ type: 'TypeError', message: 'outer: inner' });
  expect(err.stack).toMatch(/^TypeError: outer\n\s+at [^]*caused by: RangeError: inner\n\s+at /);
});

test('every error of an AggregateError is written', () => {
  const err = logged(new AggregateError([new Error('first'), new Error('second')], 'two failed'));
  expect((err.aggregateErrors as Array<{ message: string }>).map((e) => e.message)).toEqual(['first', 'second']);
});

test('command arguments and query parameters are redacted, and the error itself is left as it was', () => {
  const error = redisError('OOM');
  const err = logged(error);
  expect(err.command).toEqual({ name: 'evalsha', args: '[redacted]' });
  expect((error as Error & { command: { args: string[] } }).command.args).toHaveLength(2);
  const query = Object.assign(new Error('relation missing'), { query: 'SELECT $1', parameters: ['cus_1'] });
  const inner = logged(new AggregateError([redisError('READONLY'), query], 'both'));
  expect(inner.aggregateErrors).toMatchObject([
    { command: { args: '[redacted]' } },
    { query: 'SELECT $1', parameters: '[redacted]' },
  ]);
});
