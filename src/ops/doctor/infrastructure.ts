/** The configuration, PostgreSQL, migrations and Redis checks, as pure functions of what was fetched. */
import { HOW_TO_START } from '../../runtime/preflight';
import { CheckResult, fail, ok } from './result';

/** One FAIL line per configuration problem (as `loadConfig` lists them), or one `ok`. */
export function configurationResults(problems: readonly string[]): CheckResult[] {
  if (!problems.length) return [ok('configuration', 'every variable is valid')];
  return problems.map((p) => fail('configuration', p, 'set the variable as docs/configuration.md describes'));
}

/** What the database told the doctor (fetched by fetch-database.ts). */
export type DatabaseFacts =
  | { kind: 'unreachable'; error: string }
  | { kind: 'missing'; database: string }
  | { kind: 'ok'; serverVersion: string; appliedMigrations: string[] };

/** Known migrations that the database has not recorded as applied, in their run order. */
export function pendingMigrations(known: readonly string[], applied: readonly string[]): string[] {
  const done = new Set(applied);
  return known.filter((name) => !done.has(name));
}

export function databaseResults(
  where: string,
  facts: DatabaseFacts,
  knownMigrations: readonly string[],
): CheckResult[] {
  if (facts.kind === 'unreachable')
    return [fail('postgresql', `unreachable at DATABASE_URL=${where} (${facts.error})`, HOW_TO_START)];
  if (facts.kind === 'missing') {
    return [
      fail(
        'postgresql',
        `the server at DATABASE_URL=${where} answers but has no database "${facts.database}"`,
        'run `npm run migrate` (creates it and applies the migrations)',
      ),
    ];
  }
  const pending = pendingMigrations(knownMigrations, facts.appliedMigrations);
  return [
    ok('postgresql', `reachable at DATABASE_URL=${where} (PostgreSQL ${facts.serverVersion})`),
    pending.length
      ? fail(
          'migrations',
          `${pending.length} of ${knownMigrations.length} pending: ${pending.join(', ')}`,
          'run `npm run migrate`',
        )
      : ok('migrations', `all ${knownMigrations.length} applied`),
  ];
}

export function redisResult(where: string, error: string | undefined): CheckResult {
  return error === undefined
    ? ok('redis', `reachable at ${where}`)
    : fail('redis', `unreachable at ${where} (${error})`, HOW_TO_START);
}
