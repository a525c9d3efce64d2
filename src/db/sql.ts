/** The one SQL placeholder builder: every multi-row statement numbers its `$n` here. */

/** `count` tuples of `width` placeholders, numbered from `first`: `($1, $2), ($3, $4)`. */
export function placeholderRows(count: number, width: number, first = 1): string {
  return Array.from(
    { length: count },
    (_, row) => `(${Array.from({ length: width }, (_, col) => `$${first + row * width + col}`).join(', ')})`,
  ).join(', ');
}

/** `count` placeholders numbered from `first`, for an `IN (…)` list: `$1, $2, $3`. */
export function placeholderList(count: number, first = 1): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');
}
