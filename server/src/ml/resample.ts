// Class rebalancing of training rows (imbalanced-learn's semantics: every class is brought to
// the size of the largest). smote interpolates between a minority row and one of its k nearest
// minority neighbours; borderline_smote uses only minority rows whose neighbourhood is mostly
// other classes ("in danger"); adasyn gives each minority row a share of the new rows
// proportional to how many of its neighbours belong to other classes.
import { throwIfCancelled, type CancelSignal } from './cancellation';
import type { FeatureMatrix } from './model-types';
import { createRng, type Rng } from './random';

function row(x: FeatureMatrix, i: number): number[] {
  return x.columns.map((c) => c[i]);
}

function nearest(x: FeatureMatrix, from: number, candidates: number[], k: number): number[] {
  const d = candidates.filter((c) => c !== from).map((c) => {
    let s = 0;
    for (const col of x.columns) { const v = col[c] - col[from]; s += v * v; }
    return [s, c] as const;
  });
  d.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return d.slice(0, k).map((e) => e[1]);
}

export function resample(method: string, options: Record<string, unknown>, x: FeatureMatrix, y: Int32Array, seed: number, signal?: CancelSignal): { x: FeatureMatrix; y: Int32Array } {
  const rng: Rng = createRng(seed);
  const k = Number(options.k ?? 5);
  // Each neighbour search scans a whole class: the cancel signal is polled per search.
  const neighboursOf = (from: number, candidates: number[]): number[] => {
    throwIfCancelled(signal);
    return nearest(x, from, candidates, k);
  };
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < y.length; i++) {
    const g = byClass.get(y[i]) ?? [];
    g.push(i);
    byClass.set(y[i], g);
  }
  const largest = Math.max(...[...byClass.values()].map((g) => g.length));
  const smallest = Math.min(...[...byClass.values()].map((g) => g.length));
  const newRows: number[][] = [];
  const newY: number[] = [];
  let keep: number[] = Array.from({ length: y.length }, (_, i) => i);
  if (method === 'undersample') {
    keep = [];
    for (const g of byClass.values()) {
      const copy = g.slice();
      for (let i = copy.length - 1; i > 0; i--) { const j = rng.int(i + 1); [copy[i], copy[j]] = [copy[j], copy[i]]; }
      keep.push(...copy.slice(0, smallest));
    }
    keep.sort((a, b) => a - b);
  } else {
    const all = Array.from({ length: y.length }, (_, i) => i);
    for (const [cls, g] of byClass) {
      const need = largest - g.length;
      if (need <= 0) continue;
      if (method === 'oversample' || g.length < 2) {
        for (let t = 0; t < need; t++) { newRows.push(row(x, g[rng.int(g.length)])); newY.push(cls); }
        continue;
      }
      let seeds = g;
      let weights = g.map(() => 1);
      if (method === 'borderline_smote' || method === 'adasyn') {
        const hostile = g.map((i) => neighboursOf(i, all).filter((n) => y[n] !== cls).length / k);
        if (method === 'borderline_smote') {
          const danger = g.filter((_, j) => hostile[j] >= 0.5 && hostile[j] < 1);
          seeds = danger.length > 0 ? danger : g;
          weights = seeds.map(() => 1);
        } else {
          weights = hostile.some((h) => h > 0) ? hostile : g.map(() => 1);
        }
      }
      const total = weights.reduce((a, b) => a + b, 0);
      for (let t = 0; t < need; t++) {
        let r = rng.next() * total;
        let s = 0;
        while (s < seeds.length - 1 && r >= weights[s]) { r -= weights[s]; s++; }
        const base = seeds[s];
        const neighbours = neighboursOf(base, g);
        const other = neighbours[rng.int(neighbours.length)];
        const gap = rng.next();
        newRows.push(x.columns.map((c) => c[base] + gap * (c[other] - c[base])));
        newY.push(cls);
      }
    }
  }
  const n = keep.length + newRows.length;
  const columns = x.columns.map((c, j) => {
    const out = new Float64Array(n);
    keep.forEach((r, i) => { out[i] = c[r]; });
    newRows.forEach((nr, i) => { out[keep.length + i] = nr[j]; });
    return out;
  });
  const yOut = new Int32Array(n);
  keep.forEach((r, i) => { yOut[i] = y[r]; });
  newY.forEach((v, i) => { yOut[keep.length + i] = v; });
  return { x: { nRows: n, columns, names: x.names }, y: yOut };
}
