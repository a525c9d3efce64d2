/**
 * HTML for the operator console, built with one tagged template: every interpolated value is
 * escaped by `escapeHtml` unless it is already `Html` (the result of this same tag), so a
 * customer's name, an error text or an event type cannot become markup. Arrays are joined, and
 * null, undefined and false render as nothing. Attribute values must be double-quoted in the
 * templates; the escape covers both quote kinds anyway.
 */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** Anything: Html as it is, arrays joined, null/undefined/false as nothing, the rest as escaped text. */
export type HtmlValue = unknown;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** The one escaping function: text → text safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}
