// Splits rows into named parts by fraction, shuffled with a seed. Part sizes as in
// ml/split-sizes.ts (scikit-learn's train_test_split for train/test). Stratified: the part sizes are the same; each
// class is spread over the parts in proportion (class size × part size / n, rounded by largest
// remainders so both every class and every part add up exactly), so each part gets its share of
// each class. Missing values in the stratify column form a class of their own.
import type { Column } from '../data/table';
import { createRng, shuffleInPlace } from '../ml/random';
import { partSizes } from '../ml/split-sizes';

/** Class × part counts with row sums = class sizes and column sums = part sizes. */
function allocate(classSizes: number[], sizes: number[], n: number): number[][] {
  const cells = classSizes.map((c) => sizes.map((p) => (c * p) / n));
  const counts = cells.map((row) => row.map((x) => Math.floor(x + 1e-9)));
  const classLeft = classSizes.map((c, k) => c - counts[k].reduce((a, b) => a + b, 0));
  const partLeft = sizes.map((p, j) => p - counts.reduce((a, row) => a + row[j], 0));
  const order: [number, number, number][] = [];
  cells.forEach((row, k) => row.forEach((x, j) => order.push([x - counts[k][j], k, j])));
  order.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  // First by largest remainder; then any cell whose class and part still lack rows (the two
  // deficits have equal sums, so this always completes).
  for (const pass of [0, 1]) {
    for (const [rem, k, j] of order) {
      if (pass === 0 && rem <= 1e-9) continue;
      while (classLeft[k] > 0 && partLeft[j] > 0) {
        counts[k][j]++; classLeft[k]--; partLeft[j]--;
        if (pass === 0) break;
      }
    }
  }
  return counts;
}

export function splitTable(rowCount: number, parts: { part: string; fraction: number }[], options: { seed: number; stratify?: Column }): Record<string, Int32Array> {
  const rng = createRng(options.seed);
  const names = parts.map((p) => p.part);
  const total = parts.reduce((a, p) => a + p.fraction, 0);
  const sizes = partSizes(rowCount, parts.map((p) => p.fraction / total), names);
  const groups: number[][] = [];
  if (options.stratify) {
    const c = options.stratify;
    const byKey = new Map<number, number[]>();
    for (let i = 0; i < rowCount; i++) {
      const key = 'codes' in c ? c.codes[i] : c.values[i];
      const k = Number.isNaN(key) ? -2 : key;
      const g = byKey.get(k);
      if (g) g.push(i);
      else byKey.set(k, [i]);
    }
    for (const key of [...byKey.keys()].sort((a, b) => a - b)) groups.push(byKey.get(key)!);
  } else groups.push(Array.from({ length: rowCount }, (_, i) => i));
  const counts = allocate(groups.map((g) => g.length), sizes, rowCount);
  const out: number[][] = names.map(() => []);
  groups.forEach((g, k) => {
    shuffleInPlace(g, rng);
    let at = 0;
    counts[k].forEach((size, p) => {
      for (let i = at; i < at + size; i++) out[p].push(g[i]);
      at += size;
    });
  });
  return Object.fromEntries(names.map((name, p) => [name, Int32Array.from(out[p]).sort()]));
}
