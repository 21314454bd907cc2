// Early stopping of gradient boosting as scikit-learn's HistGradientBoosting* with
// early_stopping=True, scoring='loss': after every round the loss on held-out rows is scored
// (the scores are negated losses, the first one the baseline's), and boosting stops once none of
// the last `patience` scores beats the score `patience` + 1 rounds back by more than `tol`.
import type { Target } from './model-types';
import { createRng, shuffleInPlace } from './random';

/** scikit-learn's HistGradientBoosting tol. */
export const EARLY_STOPPING_TOL = 1e-7;

/** scikit-learn's `_should_stop`: no recent score improves on the reference score by more than tol. */
export function shouldStop(scores: readonly number[], patience: number, tol = EARLY_STOPPING_TOL): boolean {
  if (scores.length < patience + 1) return false;
  const reference = scores[scores.length - patience - 1] + tol;
  for (let i = scores.length - patience; i < scores.length; i++) if (scores[i] > reference) return false;
  return true;
}

/**
 * `held` of n rows set apart, as train_test_split(test_size=held, stratify=y): shared among the
 * classes in proportion to their rows (largest remainders first), drawn with a seeded shuffle.
 * Both sides keep at least one row (the caller says what to change otherwise).
 */
export function holdoutRows(n: number, held: number, seed: number, stratifyBy?: Int32Array): { fit: Int32Array; held: Int32Array } {
  if (held < 1 || held >= n) throw new Error(`cannot set ${held} of ${n} rows apart`);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = stratifyBy ? stratifyBy[i] : 0;
    const g = groups.get(key);
    if (g) g.push(i); else groups.set(key, [i]);
  }
  const lists = [...groups.values()];
  const exact = lists.map((g) => (held * g.length) / n);
  const take = exact.map(Math.floor);
  let left = held - take.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((_, j) => j).sort((a, b) => exact[b] - take[b] - (exact[a] - take[a]) || a - b);
  for (const j of byRemainder) { if (left === 0) break; take[j]++; left--; }
  const rng = createRng(seed);
  const fit: number[] = [];
  const out: number[] = [];
  lists.forEach((g, j) => {
    shuffleInPlace(g, rng);
    for (let i = 0; i < g.length; i++) (i < take[j] ? out : fit).push(g[i]);
  });
  return { fit: Int32Array.from(fit.sort((a, b) => a - b)), held: Int32Array.from(out.sort((a, b) => a - b)) };
}

/**
 * scikit-learn's loss of raw margins (row-major, k per row), averaged with row weights: half
 * squared error for regression, log loss for two classes (one margin), multinomial log loss for more.
 */
export function boostingLoss(raw: Float64Array, target: Target, k: number, weights?: Float64Array): number {
  const y = target.y;
  let total = 0;
  let weight = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights ? weights[i] : 1;
    let loss: number;
    if (target.task === 'regression') {
      const d = raw[i] - y[i];
      loss = 0.5 * d * d;
    } else if (k === 1) {
      // log(1 + exp(r)) - y·r, computed without overflow.
      const r = raw[i];
      loss = (r > 0 ? r + Math.log1p(Math.exp(-r)) : Math.log1p(Math.exp(r))) - y[i] * r;
    } else {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, raw[i * k + c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(raw[i * k + c] - max);
      loss = max + Math.log(sum) - raw[i * k + y[i]];
    }
    total += w * loss;
    weight += w;
  }
  return weight > 0 ? total / weight : 0;
}
