/** The one constant-time comparison of secrets (bearer tokens, admin credentials). */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * True when `given` equals `expected`. Both are hashed first, so the buffers compared have equal
 * length and the time taken reveals neither where they differ nor how long the secret is.
 */
export function secureEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `secureEqual` against several secrets, with theirs hashed once up front (a hot path hashes only
 * what it is given). Every secret is compared, so the time does not say which one matched.
 */
export function secretMatcher(secrets: readonly string[]): (given: string) => boolean {
  const digests = secrets.map(digest);
  return (given) => {
    const presented = digest(given);
    let match = false;
    for (const d of digests) match = timingSafeEqual(presented, d) || match;
    return match;
  };
}
