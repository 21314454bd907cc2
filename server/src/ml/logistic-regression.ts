// Logistic regression as scikit-learn's LogisticRegression(solver="lbfgs"): binary logistic for
// two classes, multinomial (softmax) for more; L2 penalty ||W||²/(2C) on the coefficients, not
// on the intercept; loss summed over rows. No silent standardisation (scikit-learn has none).
import { lbfgs } from './lbfgs';
import { argmaxRows, linearProbabilities } from './linear-predict';
import type { Algorithm, FeatureMatrix, FittedModel, ModelParams, Target } from './model-types';

/** Rows per block of the objective: scores of a block fit in L1, its column slices in L2. */
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
    // Rows are taken in blocks: a block's scores (class-major) stay in L1 while its residuals are
    // formed and multiplied back into the columns, and the columns' slices stay in L2 between the
    // forward and the backward pass, so each evaluation streams the data from memory once.
    const zb = new Float64Array(BLOCK * K);
    const fg = (w: Float64Array, grad: Float64Array): number => {
      grad.fill(0);
      let loss = 0;
      for (let lo = 0; lo < n; lo += BLOCK) {
        const m = Math.min(BLOCK, n - lo);
        for (let k = 0; k < K; k++) {
          const zo = k * BLOCK;
          zb.fill(w[K * p + k], zo, zo + m);
          // Four columns per pass: a quarter of the loads and stores of the scores.
          let j = 0;
          for (; j + 4 <= p; j += 4) {
            const w0 = w[k * p + j], w1 = w[k * p + j + 1], w2 = w[k * p + j + 2], w3 = w[k * p + j + 3];
            const c0 = cols[j], c1 = cols[j + 1], c2 = cols[j + 2], c3 = cols[j + 3];
            for (let r = 0; r < m; r++) {
              const i = lo + r;
              zb[zo + r] += w0 * c0[i] + w1 * c1[i] + w2 * c2[i] + w3 * c3[i];
            }
          }
          for (; j < p; j++) {
            const wj = w[k * p + j];
            const col = cols[j];
            for (let r = 0; r < m; r++) zb[zo + r] += wj * col[lo + r];
          }
        }
        // Scores become residuals (probability minus indicator) in place.
        if (K === 1) {
          // log(1 + e^z) = max(z, 0) + log(1 + e^−|z|) and σ(z) from one exponential of −|z|,
          // stable for either sign. The factors 1 + e^−|z| are at most 2, so a product of up to
          // 997 of them stays finite: one logarithm per product instead of one per row.
          let product = 1;
          for (let r = 0; r < m; r++) {
            const zi = zb[r];
            const yi = y[lo + r] === 1 ? 1 : 0;
            const e = Math.exp(zi > 0 ? -zi : zi);
            loss += (zi > 0 ? zi : 0) - yi * zi;
            product *= 1 + e;
            if (product > 1e300) { loss += Math.log(product); product = 1; }
            zb[r] = (zi > 0 ? 1 : e) / (1 + e) - yi;
          }
          loss += Math.log(product);
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
            loss += max - zy;
            product *= sum;
            if (product > 1e300) { loss += Math.log(product); product = 1; }
            for (let k = 0; k < K; k++) zb[k * BLOCK + r] /= sum;
            zb[yi * BLOCK + r] -= 1;
          }
          loss += Math.log(product);
        }
        for (let k = 0; k < K; k++) {
          const zo = k * BLOCK;
          let gb = 0;
          for (let r = 0; r < m; r++) gb += zb[zo + r];
          grad[K * p + k] += gb;
          let j = 0;
          for (; j + 4 <= p; j += 4) {
            const c0 = cols[j], c1 = cols[j + 1], c2 = cols[j + 2], c3 = cols[j + 3];
            let g0 = 0, g1 = 0, g2 = 0, g3 = 0;
            for (let r = 0; r < m; r++) {
              const i = lo + r;
              const e = zb[zo + r];
              g0 += e * c0[i]; g1 += e * c1[i]; g2 += e * c2[i]; g3 += e * c3[i];
            }
            grad[k * p + j] += g0; grad[k * p + j + 1] += g1; grad[k * p + j + 2] += g2; grad[k * p + j + 3] += g3;
          }
          for (; j < p; j++) {
            const col = cols[j];
            let gw = 0;
            for (let r = 0; r < m; r++) gw += zb[zo + r] * col[lo + r];
            grad[k * p + j] += gw;
          }
        }
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
