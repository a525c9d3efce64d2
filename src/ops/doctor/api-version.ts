/**
 * Whether the engine reads the events a webhook endpoint renders, from the endpoint's `api_version`
 * alone (pure). Versions order by their YYYY-MM-DD prefix; a name after it (`.endive`) does not
 * order. The engine reads every version dated from its oldest (inclusive) to its own pinned one.
 */

/**
 * `pinned`: the engine's own version. `read`: dated from `oldest` up to before the engine's date.
 * `too_old`: dated before `oldest`. `too_new`: dated after the engine's. `same_date`: the engine's
 * date under another name (a preview release may carry changes the engine has never seen, so the
 * only readable version of that date is the engine's exact one). `unknown`: no version (the
 * account's default, which the endpoint list does not reveal) or a value that is not date-prefixed.
 */
export type ApiVersionReading = 'pinned' | 'read' | 'too_old' | 'too_new' | 'same_date' | 'unknown';

const DATE_PREFIX = /^(\d{4}-\d{2}-\d{2})(?:$|[^\d])/;

/** The YYYY-MM-DD a version is dated, or undefined for a value that is not a dated version. */
export function apiVersionDate(version: string): string | undefined {
  return DATE_PREFIX.exec(version)?.[1];
}

export function apiVersionReading(version: string | null, engine: string, oldest: string): ApiVersionReading {
  if (version === engine) return 'pinned';
  const date = version === null ? undefined : apiVersionDate(version);
  const engineDate = apiVersionDate(engine);
  const oldestDate = apiVersionDate(oldest);
  if (date === undefined || engineDate === undefined || oldestDate === undefined) return 'unknown';
  // ISO dates of equal length compare as strings.
  if (date < oldestDate) return 'too_old';
  if (date > engineDate) return 'too_new';
  return date === engineDate ? 'same_date' : 'read';
}
