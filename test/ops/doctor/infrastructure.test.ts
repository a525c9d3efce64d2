/** The doctor's configuration, PostgreSQL, migrations and Redis decisions, and how results print. */
import { loadConfigFields } from '../../../src/config';
import {
  configurationResults,
  databaseResults,
  pendingMigrations,
  redisResult,
} from '../../../src/ops/doctor/infrastructure';
import { exitCode, fail, formatResult, maskSecret, ok, redactSecrets } from '../../../src/ops/doctor/result';

const KNOWN = ['Initial1', 'Usage2', 'Cursors3'];

test('configuration: one FAIL per problem, or one ok', () => {
  expect(configurationResults([]).map(formatResult)).toEqual(['ok  configuration: every variable is valid']);
  expect(configurationResults(['PORT: Invalid input', 'STRIPE_SECRET_KEY: is required']).map(formatResult)).toEqual([
    'FAIL configuration: PORT: Invalid input — set the variable as docs/configuration.md describes',
    'FAIL configuration: STRIPE_SECRET_KEY: is required — set the variable as docs/configuration.md describes',
  ]);
});

test('loadConfigFields keeps every valid variable and names the invalid ones', () => {
  const { fields, invalid } = loadConfigFields({
    PORT: 'x',
    REDIS_URL: 'redis://r:6379',
    STRIPE_API_URL: 'ftp://nope',
    STRIPE_WEBHOOK_SECRET: 'whsec_a,whsec_b',
  });
  expect(invalid.sort()).toEqual(['PORT', 'STRIPE_API_URL', 'STRIPE_SECRET_KEY']);
  expect(fields).toMatchObject({
    REDIS_URL: 'redis://r:6379',
    KEY_PREFIX: 'billing',
    STRIPE_WEBHOOK_SECRET: ['whsec_a', 'whsec_b'],
  });
  expect(fields.PORT).toBeUndefined();
  expect(fields.STRIPE_API_URL).toBeUndefined();
});

test('pending migrations are the known ones not recorded, in run order', () => {
  expect(pendingMigrations(KNOWN, ['Usage2'])).toEqual(['Initial1', 'Cursors3']);
  expect(pendingMigrations(KNOWN, [...KNOWN, 'FromANewerRelease9'])).toEqual([]);
});

test('database: unreachable, missing and pending migrations each say how to fix them', () => {
  expect(
    databaseResults('postgres://h/db', { kind: 'unreachable', error: 'ECONNREFUSED' }, KNOWN).map(formatResult),
  ).toEqual([
    'FAIL postgresql: unreachable at DATABASE_URL=postgres://h/db (ECONNREFUSED) — start it with `docker compose up -d` or point the variable at a running server',
  ]);
  expect(formatResult(databaseResults('postgres://h/db', { kind: 'missing', database: 'db' }, KNOWN)[0])).toContain(
    'has no database "db" — run `npm run migrate`',
  );
  expect(
    databaseResults(
      'postgres://h/db',
      { kind: 'ok', serverVersion: '15.4', appliedMigrations: ['Initial1'] },
      KNOWN,
    ).map(formatResult),
  ).toEqual([
    'ok  postgresql: reachable at DATABASE_URL=postgres://h/db (PostgreSQL 15.4)',
    'FAIL migrations: 2 of 3 pending: Usage2, Cursors3 — run `npm run migrate`',
  ]);
  expect(databaseResults('u', { kind: 'ok', serverVersion: '15', appliedMigrations: KNOWN }, KNOWN)[1]).toEqual(
    ok('migrations', 'all 3 applied'),
  );
});

test('redis: reachable or not', () => {
  expect(formatResult(redisResult('redis://h:6379', undefined))).toBe('ok  redis: reachable at redis://h:6379');
  expect(formatResult(redisResult('redis://h:6379', 'ECONNREFUSED'))).toMatch(
    /^FAIL redis: unreachable at redis:\/\/h:6379 \(ECONNREFUSED\) — start it/,
  );
});

test('any FAIL makes the exit code 1', () => {
  expect(exitCode([ok('a', 'fine')])).toBe(0);
  expect(exitCode([ok('a', 'fine'), fail('b', 'broken', 'mend it')])).toBe(1);
});

test('secrets are masked to their mode prefix and last 4 characters wherever they appear', () => {
  expect(maskSecret('sk_live_abcdefgh1234')).toBe('sk_live_…1234');
  expect(maskSecret('whsec_abcdefgh9876')).toBe('whsec_…9876');
  const [a, b] = redactSecrets(
    [
      ok('x', 'uses sk_live_abcdefgh1234'),
      fail('y', 'saw whsec_abcdefgh9876 and hunter22', 'not sk_live_abcdefgh1234'),
    ],
    ['sk_live_abcdefgh1234', 'whsec_abcdefgh9876', 'short', ''],
  );
  expect(formatResult(a)).toBe('ok  x: uses sk_live_…1234');
  expect(formatResult(b)).toBe('FAIL y: saw whsec_…9876 and hunter22 — not sk_live_…1234');
});
