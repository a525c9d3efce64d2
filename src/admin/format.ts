/** How the console writes times, ages, amounts and ids (pure; every page uses these). */

/** Unix seconds (or a Date) → `2026-01-31 12:00:05 UTC`; `—` when unknown. */
export function formatTime(value: number | Date | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const date = value instanceof Date ? value : new Date(value * 1000);
  if (Number.isNaN(date.getTime())) return '—';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Unix seconds → `2026-01-31` (UTC); `—` when unknown. For periods, where the day is what is read. */
export function formatDate(value: number | null | undefined): string {
  const text = formatTime(value);
  return text === '—' ? text : text.slice(0, 10);
}

/** A duration in ms → `45 s`, `12 min 5 s`, `3 h 20 min`, `2 d 4 h`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/**
 * An amount in the currency's minor unit → `12.34 EUR`. Zero-decimal currencies (JPY, KRW, …) are
 * written as they are: Stripe's list (https://docs.stripe.com/currencies#zero-decimal).
 */
const ZERO_DECIMAL = new Set('bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '));

export function formatAmount(amount: number | string | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const value = Number(amount);
  const code = (currency ?? '').toLowerCase();
  const text = ZERO_DECIMAL.has(code) || !code ? String(value) : (value / 100).toFixed(2);
  return code ? `${text} ${code.toUpperCase()}` : text;
}
