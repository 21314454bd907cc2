// Linear least squares with an optional ridge penalty alpha·||w||² (intercept not penalised),
// solved from the centred normal equations by Cholesky. Collinear features (one-hot columns
// that sum to one) make the plain system singular: a tiny ridge then picks one of the equally
// good solutions, so predictions match scikit-learn's minimum-norm lstsq.
import { throwIfCancelled } from './cancellation';
import { linearModel } from './logistic-regression';
import type { Algorithm, FeatureMatrix, Target, TrainContext } from './model-types';

function cholesky(a: Float64Array, p: number): Float64Array | undefined {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * p + i] = Math.sqrt(s);
      } else l[i * p + j] = s / l[j * p + j];
    }
  }
  return l;
}

function solveCholesky(l: Float64Array, b: Float64Array, p: number): Float64Array {
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * y[k];
    y[i] = s / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}

/** The centred normal equations of x: XᵀX and Xᵀ(y − ȳ) over the centred columns, with the means. */
function normalEquations(x: FeatureMatrix, y: Float64Array, signal: TrainContext['signal']): { a: Float64Array; b: Float64Array; centred: Float64Array[]; means: number[]; yMean: number } {
  const n = x.nRows;
  const p = x.columns.length;
  const means = x.columns.map((c) => c.reduce((s, v) => s + v, 0) / n);
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const centred = x.columns.map((c, j) => Float64Array.from(c, (v) => v - means[j]));
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    // Each column costs a pass over all rows per earlier column: poll for cancellation per column.
    throwIfCancelled(signal);
    const cj = centred[j];
    for (let k = 0; k <= j; k++) {
      const ck = centred[k];
      let s = 0;
      for (let i = 0; i < n; i++) s += cj[i] * ck[i];
      a[j * p + k] = s;
      a[k * p + j] = s;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += cj[i] * (y[i] - yMean);
    b[j] = s;
  }
  return { a, b, centred, means, yMean };
}

/**
 * scikit-learn's RidgeCV (its default alphas and scoring): the alpha of `alphas` whose ridge fit
 * (intercept not penalised) has the lowest mean squared leave-one-out error, computed exactly from
 * the hat matrix (residual / (1 − leverage), the leverage of the intercept being 1/n); the first
 * of equal errors wins. Undefined when no alpha gives a solvable system.
 */
export function ridgeLeaveOneOutAlpha(x: FeatureMatrix, target: Target, alphas: readonly number[], ctx: TrainContext): number | undefined {
  if (target.task !== 'regression') throw new Error('the leave-one-out alpha search needs a number target');
  const n = x.nRows;
  const p = x.columns.length;
  const { a, b, centred, yMean } = normalEquations(x, target.y, ctx.signal);
  let best: { alpha: number; error: number } | undefined;
  for (const alpha of alphas) {
    const m = Float64Array.from(a);
    for (let j = 0; j < p; j++) m[j * p + j] += alpha;
    const l = cholesky(m, p);
    if (!l) continue;
    const w = solveCholesky(l, b, p);
    let error = 0;
    const row = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      let fit = 0;
      for (let j = 0; j < p; j++) { row[j] = centred[j][i]; fit += w[j] * row[j]; }
      const z = solveCholesky(l, row, p);
      let leverage = 1 / n;
      for (let j = 0; j < p; j++) leverage += row[j] * z[j];
      const loo = (target.y[i] - yMean - fit) / (1 - leverage);
      error += loo * loo;
    }
    error /= n;
    if (!best || error < best.error) best = { alpha, error };
  }
  return best?.alpha;
}

export const linearRegression: Algorithm = {
  name: 'linear_regression',
  tasks: ['regression'],
  allowsMissing: false,
  defaults: { alpha: 0 },
  fit(x, target: Target, options, ctx) {
    if (target.task !== 'regression') throw new Error('linear_regression needs a number target');
    const p = x.columns.length;
    const alpha = Number(options.alpha ?? 0);
    const { a, b, means, yMean } = normalEquations(x, target.y, ctx.signal);
    const trace = Array.from({ length: p }, (_, j) => a[j * p + j]).reduce((s, v) => s + v, 0) / Math.max(1, p);
    let jitter = 0;
    let w: Float64Array | undefined;
    for (let attempt = 0; attempt < 12 && !w; attempt++) {
      const m = Float64Array.from(a);
      for (let j = 0; j < p; j++) m[j * p + j] += alpha + jitter;
      const l = cholesky(m, p);
      if (l) w = solveCholesky(l, b, p);
      else jitter = jitter === 0 ? trace * 1e-12 : jitter * 10;
    }
    if (!w) throw new Error('linear_regression could not solve the system: the features may hold infinite values');
    ctx.onProgress?.(1);
    let intercept = yMean;
    for (let j = 0; j < p; j++) intercept -= w[j] * means[j];
    return linearModel('linear_regression', { kind: 'linear', coef: [Array.from(w)], intercept: [intercept], link: 'identity' }, x.names);
  },
};
