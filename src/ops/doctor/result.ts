/**
 * What every doctor check returns, and how it prints: `ok  <check>: <detail>` or
 * `FAIL <check>: <what is wrong> — <how to fix it>`. Any FAIL makes the command exit non-zero.
 */
export type CheckResult =
  { ok: true; check: string; detail: string } | { ok: false; check: string; problem: string; fix: string };

export const ok = (check: string, detail: string): CheckResult => ({ ok: true, check, detail });

export const fail = (check: string, problem: string, fix: string): CheckResult => ({ ok: false, check, problem, fix });

export function formatResult(result: CheckResult): string {
  return result.ok
    ? `ok  ${result.check}: ${result.detail}`
    : `FAIL ${result.check}: ${result.problem} — ${result.fix}`;
}

export function exitCode(results: readonly CheckResult[]): number {
  return results.every((r) => r.ok) ? 0 : 1;
}

/**
 * Replaces every secret (at least 8 characters long) in the printed text with its masked form, a
 * last line of defence for error messages that might echo one (a URL password, a key).
 */
export function redactSecrets(results: CheckResult[], secrets: readonly string[]): CheckResult[] {
  const long = secrets.filter((s) => s.length >= 8);
  const scrub = (text: string) => long.reduce((t, s) => t.split(s).join(maskSecret(s)), text);
  return results.map((r) =>
    r.ok ? { ...r, detail: scrub(r.detail) } : { ...r, problem: scrub(r.problem), fix: scrub(r.fix) },
  );
}

/** `sk_live_…abcd`: the key's kind and mode prefix and its last 4 characters, never more. */
export function maskSecret(secret: string): string {
  const prefix = /^(sk|rk)_(test|live)_/.exec(secret)?.[0] ?? /^[a-z]+_/.exec(secret)?.[0] ?? '';
  return `${prefix}…${secret.slice(-4)}`;
}
