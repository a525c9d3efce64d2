/**
 * Structured JSON logs (pino). Child loggers carry event, job and customer ids; secrets and
 * request bodies are redacted so a log line never holds a key or a customer's personal data.
 */
import pino, { Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info'): Logger {
  return pino({
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
      ],
      censor: '[redacted]',
    },
  });
}
