// Prediction from linear parameters (logistic, softmax or identity link), shared by the fitted
// models and by models restored from the run store.
import type { FeatureMatrix, ModelParams } from './model-types';

type LinearParams = Extract<ModelParams, { kind: 'linear' }>;

/** Raw scores, row-major n × outputs. */
export function linearScores(p: LinearParams, x: FeatureMatrix): Float64Array {
  const n = x.nRows;
  const k = p.coef.length;
  const z = new Float64Array(n * k);
  for (let o = 0; o < k; o++) {
    const b = p.intercept[o];
    for (let i = 0; i < n; i++) z[i * k + o] = b;
    const w = p.coef[o];
    for (let j = 0; j < w.length; j++) {
      const wj = w[j];
      if (wj === 0) continue;
      const col = x.columns[j];
      for (let i = 0; i < n; i++) z[i * k + o] += wj * col[i];
    }
  }
  return z;
}

/** Class probabilities (row-major n × classes) for logistic/softmax links. */
export function linearProbabilities(p: LinearParams, x: FeatureMatrix): Float64Array {
  const z = linearScores(p, x);
  const n = x.nRows;
  if (p.link === 'logistic') return binaryProbabilities(z, n);
  const k = p.coef.length;
  for (let i = 0; i < n; i++) softmaxInPlace(z, i * k, k);
  return z;
}

/** [1 − σ(m), σ(m)] per row from one margin per row (binary logistic link). */
export function binaryProbabilities(margins: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const q = 1 / (1 + Math.exp(-margins[i]));
    out[i * 2] = 1 - q;
    out[i * 2 + 1] = q;
  }
  return out;
}

export function softmaxInPlace(z: Float64Array, offset: number, k: number): void {
  let max = -Infinity;
  for (let o = 0; o < k; o++) max = Math.max(max, z[offset + o]);
  let sum = 0;
  for (let o = 0; o < k; o++) { const e = Math.exp(z[offset + o] - max); z[offset + o] = e; sum += e; }
  for (let o = 0; o < k; o++) z[offset + o] /= sum;
}

/** Index of the largest value in each row (first on ties, as numpy's argmax). */
export function argmaxRows(p: Float64Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let o = 1; o < k; o++) if (p[i * k + o] > p[i * k + best]) best = o;
    out[i] = best;
  }
  return out;
}
