// Splits rows into named parts by fraction: shuffled with a seed, stratified by class when asked
// (each class is divided in the same proportions). Sizes use largest remainders so they add up
// exactly; with train/test only, test gets ceil(n × fraction) rows as scikit-learn's train_test_split.
import type { Column } from '../data/table';
import { createRng, shuffleInPlace } from '../ml/random';

function partSizes(n: number, fractions: number[], names: string[]): number[] {
  const testIndex = names.indexOf('test');
  if (fractions.length === 2 && testIndex >= 0) {
    const test = Math.min(n, Math.ceil(n * fractions[testIndex] - 1e-9));
    return names.map((_, i) => (i === testIndex ? test : n - test));
  }
  const raw = fractions.map((f) => f * n);
  const sizes = raw.map(Math.floor);
  let left = n - sizes.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) { if (left <= 0) break; sizes[i]++; left--; }
  return sizes;
}

export function splitTable(rowCount: number, parts: { part: string; fraction: number }[], options: { seed: number; stratify?: Column }): Record<string, Int32Array> {
  const rng = createRng(options.seed);
  const names = parts.map((p) => p.part);
  const fractions = parts.map((p) => p.fraction);
  const total = fractions.reduce((a, b) => a + b, 0);
  const normalised = fractions.map((f) => f / total);
  const groups: number[][] = [];
  if (options.stratify) {
    const c = options.stratify;
    const byKey = new Map<number, number[]>();
    for (let i = 0; i < rowCount; i++) {
      const key = 'codes' in c ? c.codes[i] : c.values[i];
      const k = Number.isNaN(key) ? -2 : key;
      const g = byKey.get(k) ?? [];
      g.push(i);
      byKey.set(k, g);
    }
    for (const key of [...byKey.keys()].sort((a, b) => a - b)) groups.push(byKey.get(key)!);
  } else groups.push(Array.from({ length: rowCount }, (_, i) => i));
  const out: number[][] = names.map(() => []);
  for (const g of groups) {
    shuffleInPlace(g, rng);
    const sizes = partSizes(g.length, normalised, names);
    let at = 0;
    sizes.forEach((size, p) => {
      out[p].push(...g.slice(at, at + size));
      at += size;
    });
  }
  return Object.fromEntries(names.map((name, p) => [name, Int32Array.from(out[p].sort((a, b) => a - b))]));
}
