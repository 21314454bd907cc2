// Logistic regression as scikit-learn's LogisticRegression(solver="lbfgs"): binary logistic for
// two classes, multinomial (softmax) for more; L2 penalty ||W||²/(2C) on the coefficients, not
// on the intercept; loss summed over rows. No silent standardisation (scikit-learn has none).
import { lbfgs } from './lbfgs';
import { classRowWeights } from './class-weight';
import { argmaxRows, linearProbabilities } from './linear-predict';
import { kernelMemory, linearKernel } from './wasm/kernels';
import type { Algorithm, FeatureMatrix, FittedModel, ModelParams, Target } from './model-types';

/** Rows per block of the objective: scores of a block fit in L1, its column slices in L2. Even (the kernels take two rows at a time) and at most 1,000 (linear.wat's product of loss factors stays finite). */
const BLOCK = 512;

export function linearModel(algorithm: string, params: Extract<ModelParams, { kind: 'linear' }>, featureNames: string[], classes?: string[]): FittedModel {
  const task = params.link === 'identity' ? 'regression' : 'classification';
  const k = params.link === 'logistic' ? 2 : params.coef.length;
  return {
    algorithm,
    task,
    ...(classes ? { classes } : {}),
    featureNames,
    params,
    predict(x) {
      if (task === 'regression') return linearScoresFlat(params, x);
      return argmaxRows(linearProbabilities(params, x), x.nRows, k);
    },
    ...(task === 'classification' ? { predictProba: (x: FeatureMatrix) => linearProbabilities(params, x), predictIsArgmax: true } : {}),
    featureImportances() {
      const p = featureNames.length;
      const imp = new Float64Array(p);
      for (const w of params.coef) for (let j = 0; j < p; j++) imp[j] += Math.abs(w[j]);
      const total = imp.reduce((a, b) => a + b, 0) || 1;
      return imp.map((v) => v / total);
    },
  };
}

function linearScoresFlat(p: Extract<ModelParams, { kind: 'linear' }>, x: FeatureMatrix): Float64Array {
  const out = new Float64Array(x.nRows).fill(p.intercept[0]);
  const w = p.coef[0];
  for (let j = 0; j < w.length; j++) {
    const col = x.columns[j];
    const wj = w[j];
    for (let i = 0; i < x.nRows; i++) out[i] += wj * col[i];
  }
  return out;
}

export const logisticRegression: Algorithm = {
  name: 'logistic_regression',
  tasks: ['classification'],
  allowsMissing: false,
  defaults: { c: 1.0, max_iter: 200 },
  fit(x, target: Target, options, ctx) {
    if (target.task !== 'classification') throw new Error('logistic_regression needs a classification target');
    const n = x.nRows;
    const p = x.columns.length;
    const classes = target.classes;
    const nClasses = classes.length;
    const K = nClasses <= 2 ? 1 : nClasses;
    const C = Number(options.c ?? 1);
    const maxIter = Number(options.max_iter ?? 200);
    const y = target.y;
    const cols = x.columns;
    // class_weight: each row's loss and residual times its class's weight (the weighted loss of
    // scikit-learn's LogisticRegression(class_weight=...)); without it every row weighs 1.
    const rowWeight = classRowWeights(options, target);
    // Rows are taken in blocks: a block's scores (class-major) stay in L1 while its residuals are
    // formed and multiplied back into the columns, and the columns' slices stay in L2 between the
    // forward and the backward pass, so each evaluation streams the data from memory once. The
    // two passes run in a WebAssembly kernel (wasm/linear.wat: two rows per SIMD step, no bounds
    // checks, no warm-up of the JIT; docs/decisions/0009) over a copy of the columns in its
    // memory, each padded to an even number of rows. So do the loss and residuals of two classes
    // (with an exponential of its own, within 2 ulp); those of more classes stay in JS.
    const nPad = n + (n & 1);
    const stride = nPad * 8;
    const X = 0;
    const W = X + p * stride;
    const GRAD = W + K * p * 8;
    const Z = Math.ceil((GRAD + K * (p + 1) * 8) / 16) * 16;
    // Two classes: the labels as f64 (padded like the columns) and the block's two loss sums.
    const Y = Z + K * BLOCK * 8;
    const SUMS = Y + (K === 1 ? nPad * 8 : 0);
    const memory = kernelMemory(SUMS + 16, 'logistic_regression');
    const kernel = linearKernel(memory);
    const mem = new Float64Array(memory.buffer);
    for (let j = 0; j < p; j++) mem.set(cols[j], (X + j * stride) / 8);
    const zb = new Float64Array(memory.buffer, Z, K * BLOCK);
    const gradSums = new Float64Array(memory.buffer, GRAD, K * (p + 1));
    const sums = new Float64Array(memory.buffer, SUMS, 2);
    if (K === 1) mem.set(y, Y / 8);
    const fg = (w: Float64Array, grad: Float64Array): number => {
      mem.set(w.subarray(0, K * p), W / 8);
      gradSums.fill(0);
      let loss = 0;
      for (let lo = 0; lo < n; lo += BLOCK) {
        const m = Math.min(BLOCK, n - lo);
        const even = m + (m & 1);
        for (let k = 0; k < K; k++) kernel.scores(X, stride, p, W + k * p * 8, w[K * p + k], Z + k * BLOCK * 8, lo, even);
        // Scores become residuals (probability minus indicator) in place.
        if (K === 1) {
          // The padding row of an odd last block: a score of −1e300 with label 0 adds exactly
          // nothing to the loss (its factor 1 + e^−|z| rounds to 1).
          if (even > m) zb[m] = -1e300;
          if (rowWeight) {
            // The kernel's block sums weigh every row alike: the weighted loss is taken here from the scores.
            for (let r = 0; r < m; r++) {
              const z = zb[r];
              loss += rowWeight[lo + r] * (Math.max(z, 0) - y[lo + r] * z + Math.log1p(Math.exp(-Math.abs(z))));
            }
            kernel.logisticResiduals(Z, Y + lo * 8, even, SUMS);
            for (let r = 0; r < m; r++) zb[r] *= rowWeight[lo + r];
          } else {
            kernel.logisticResiduals(Z, Y + lo * 8, even, SUMS);
            loss += sums[0] + Math.log(sums[1]);
          }
        } else {
          // The sums of exponentials lie in [1, K]: their logarithms are taken of products, as above.
          let product = 1;
          for (let r = 0; r < m; r++) {
            const yi = y[lo + r];
            const zy = zb[yi * BLOCK + r];
            let max = -Infinity;
            for (let k = 0; k < K; k++) max = Math.max(max, zb[k * BLOCK + r]);
            let sum = 0;
            for (let k = 0; k < K; k++) { const e = Math.exp(zb[k * BLOCK + r] - max); zb[k * BLOCK + r] = e; sum += e; }
            for (let k = 0; k < K; k++) zb[k * BLOCK + r] /= sum;
            zb[yi * BLOCK + r] -= 1;
            if (rowWeight) {
              const wr = rowWeight[lo + r];
              loss += wr * (max - zy + Math.log(sum));
              for (let k = 0; k < K; k++) zb[k * BLOCK + r] *= wr;
              continue;
            }
            loss += max - zy;
            product *= sum;
            if (product > 1e300) { loss += Math.log(product); product = 1; }
          }
          loss += Math.log(product);
        }
        // The padding row of an odd last block adds nothing to the gradient.
        if (even > m) for (let k = 0; k < K; k++) zb[k * BLOCK + m] = 0;
        for (let k = 0; k < K; k++) kernel.gradient(X, stride, p, Z + k * BLOCK * 8, lo, even, GRAD + k * (p + 1) * 8);
      }
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < p; j++) grad[k * p + j] = gradSums[k * (p + 1) + j];
        grad[K * p + k] = gradSums[k * (p + 1) + p];
      }
      let penalty = 0;
      for (let k = 0; k < K * p; k++) {
        grad[k] += w[k] / C;
        penalty += w[k] * w[k];
      }
      return loss + penalty / (2 * C);
    };
    // Progress as a share of max_iter (the solver may converge sooner), at most once per percent.
    const reportEvery = Math.max(1, Math.floor(maxIter / 100));
    const onIteration = (done: number): void => { if (done % reportEvery === 0) ctx.onProgress?.(done / maxIter); };
    const result = lbfgs(fg, new Float64Array(K * p + K), { maxIter, gtol: 1e-4, signal: ctx.signal, onIteration });
    ctx.onProgress?.(1);
    const w = result.x;
    const coef = Array.from({ length: K }, (_, k) => Array.from(w.subarray(k * p, (k + 1) * p)));
    const intercept = Array.from(w.subarray(K * p, K * p + K));
    return linearModel('logistic_regression', { kind: 'linear', coef, intercept, link: K === 1 ? 'logistic' : 'softmax' }, x.names, classes);
  },
};
