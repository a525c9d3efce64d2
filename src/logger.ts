/**
 * Structured JSON logs (pino), one line per entry, each with `service: "billing"`. Ids (event,
 * job, claim, customer) are fields of the entry; an error goes under `err` as the error object
 * itself, which pino's default `err` serializer writes with its type, message, stack, causes and,
 * for an AggregateError, every inner error. Redacted wherever they appear as a safety net:
 * authorization headers, secrets, passwords, a `body` one level down, and what errors carry of
 * their request: an ioredis error's command arguments (a job's data, a webhook body, an AUTH
 * password) and a failed TypeORM query's parameters.
 */
import pino, { DestinationStream, Logger } from 'pino';

export type { Logger };

/** `destination` (default stdout) lets a test read the lines as they are written. */
export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'billing' },
    redact: {
      paths: [
        '*.authorization',
        '*.headers.authorization',
        '*.secret',
        '*.password',
        '*.body',
        'req.headers.cookie',
        '*["stripe-signature"]',
        'err.command.args',
        'err.aggregateErrors[*].command.args',
        'err.parameters',
        'err.aggregateErrors[*].parameters',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
