/** What a hostile request is, and the random pieces the generators build them from. */
export interface HostileRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Sent over a raw socket: bytes as they are (bad paths, lying lengths, garbage). */
  raw?: Buffer;
  /** Close the socket after sending (truncated upload): no answer is expected. */
  hangUp?: boolean;
  /** A route that needs credentials, called without valid ones. */
  protectedRoute: boolean;
}

export type Rng = () => number;
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
export const json = (v: unknown) => Buffer.from(JSON.stringify(v));
export const hex = (rng: Rng, n: number) =>
  Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join('');
export const now = () => Math.floor(Date.now() / 1000);

export const UNICODE = [
  '💳',
  'Ω≈ç√',
  '\u202e',
  '\u0000',
  'ﾟ･✿ヾ',
  '𝕊𝕥𝕣𝕚𝕡𝕖',
  '\uFEFF',
  'é',
  '\\u0000',
  '%00',
  '../',
  '<script>',
  "' OR 1=1 --",
];
export const junkString = (rng: Rng) =>
  Array.from({ length: 1 + Math.floor(rng() * 6) }, () => pick(rng, UNICODE)).join('');
