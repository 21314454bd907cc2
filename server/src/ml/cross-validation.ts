// K-fold row assignment, stratified by class when given, deterministic for a seed.
import { createRng, shuffleInPlace } from './random';

export function kFoldIndices(n: number, k: number, seed: number, stratifyBy?: Int32Array): Int32Array {
  const fold = new Int32Array(n);
  const rng = createRng(seed);
  if (!stratifyBy) {
    const order = shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), rng);
    order.forEach((row, i) => { fold[row] = i % k; });
    return fold;
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups.get(stratifyBy[i]) ?? [];
    g.push(i);
    groups.set(stratifyBy[i], g);
  }
  let offset = 0;
  for (const rows of groups.values()) {
    shuffleInPlace(rows, rng);
    rows.forEach((row, i) => { fold[row] = (i + offset) % k; });
    offset += rows.length;
  }
  return fold;
}
