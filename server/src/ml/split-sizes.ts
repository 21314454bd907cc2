// How many rows each part of a split gets, shared by the runner (which cuts the rows) and the
// checker (which refuses a part that would get none): with exactly train/test, test =
// ceil(n × test fraction) and train the rest (scikit-learn's train_test_split); otherwise
// floor(n × fraction) each, the rows left over going one each to the parts with the largest
// remainders (ties to the earlier part).

/** Rows of each part (in the order of `names`) of a split of `n` rows. */
export function partSizes(n: number, fractions: number[], names: string[]): number[] {
  const testIndex = names.indexOf('test');
  if (fractions.length === 2 && testIndex >= 0) {
    const test = Math.min(n, Math.ceil(n * fractions[testIndex] - 1e-9));
    return names.map((_, i) => (i === testIndex ? test : n - test));
  }
  return largestRemainder(fractions.map((f) => f * n), n);
}

/** Rounds `raw` (summing to `total`) to integers with the same sum. */
function largestRemainder(raw: number[], total: number): number[] {
  const sizes = raw.map((r) => Math.floor(r + 1e-9));
  let left = total - sizes.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - sizes[i], i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) { if (left <= 0) break; sizes[i]++; left--; }
  return sizes;
}
