/**
 * The Stripe key check: the key's mode from its prefix (`sk_test_`, `sk_live_`, `rk_test_`,
 * `rk_live_`) against the `livemode` of the objects the API answered with. A live key talking to a
 * test-mode server (such as the stand-in) or the reverse means the wrong key or the wrong STRIPE_API_URL.
 */
import { CheckResult, fail, maskSecret, ok } from './result';

export type KeyMode = 'test' | 'live';

export function keyMode(key: string): KeyMode | undefined {
  const match = /^(?:sk|rk)_(test|live)_/.exec(key);
  return match ? (match[1] as KeyMode) : undefined;
}

/** What the first Stripe call told us: an error, or the `livemode` of every object returned by any list. */
export type StripeAnswer = { error: string } | { livemodes: boolean[] };

const CHECK = 'stripe key';

export function stripeKeyResult(key: string, where: string, answer: StripeAnswer): CheckResult {
  const shown = maskSecret(key);
  if ('error' in answer) {
    return fail(
      CHECK,
      `${shown} at ${where}: ${answer.error}`,
      'check STRIPE_SECRET_KEY (Dashboard → Developers → API keys) and STRIPE_API_URL (unset means Stripe itself)',
    );
  }
  const mode = keyMode(key);
  if (!mode) {
    return fail(
      CHECK,
      `${shown} names no mode (expected sk_test_, sk_live_, rk_test_ or rk_live_)`,
      'copy the key again from Dashboard → Developers → API keys',
    );
  }
  const server = new Set(answer.livemodes.map((live) => (live ? 'live' : 'test')));
  if (server.size === 0)
    return ok(
      CHECK,
      `${mode} mode (${shown}), reachable at ${where}; the account returned no object to confirm the mode`,
    );
  const other = mode === 'live' ? 'test' : 'live';
  if (server.has(other)) {
    return fail(
      CHECK,
      `${mode}-mode key (${shown}) but ${where} answered with ${other}-mode objects`,
      `use the ${other === 'live' ? 'sk_live_' : 'sk_test_'}… key of that account, or point STRIPE_API_URL at the ${mode}-mode server (unset: Stripe itself)`,
    );
  }
  return ok(CHECK, `${mode} mode (${shown}), reachable at ${where}, the account answers in ${mode} mode`);
}
