/** The one test for "a JSON object" (not null, not an array) that untyped input is read with. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
