/** How the bench reports print a figure: grouped thousands, fixed digits, `n/a` when absent. */
export const f = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined
    ? 'n/a'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
