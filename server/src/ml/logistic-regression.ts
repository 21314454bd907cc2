// Logistic regression as scikit-learn's LogisticRegression(solver="lbfgs"): binary logistic for
// two classes, multinomial (softmax) for more; L2 penalty ||W||²/(2C) on the coefficients, not
// on the intercept; loss summed over rows. No silent standardisation (scikit-learn has none).
import { lbfgs } from './lbfgs';
import { argmaxRows, linearProbabilities, softmaxInPlace } from './linear-predict';
import type { Algorithm, FeatureMatrix, FittedModel, ModelParams, Target } from './model-types';

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
    const z = new Float64Array(n * K);
    const resid = new Float64Array(n * K);
    const fg = (w: Float64Array, grad: Float64Array): number => {
      z.fill(0);
      for (let k = 0; k < K; k++) {
        const b = w[K * p + k];
        for (let i = 0; i < n; i++) z[i * K + k] = b;
        for (let j = 0; j < p; j++) {
          const wj = w[k * p + j];
          if (wj === 0) continue;
          const col = x.columns[j];
          for (let i = 0; i < n; i++) z[i * K + k] += wj * col[i];
        }
      }
      let loss = 0;
      if (K === 1) {
        for (let i = 0; i < n; i++) {
          const zi = z[i];
          const yi = y[i] === 1 ? 1 : 0;
          // log(1 + e^z) computed stably.
          loss += (zi > 0 ? zi + Math.log1p(Math.exp(-zi)) : Math.log1p(Math.exp(zi))) - yi * zi;
          resid[i] = 1 / (1 + Math.exp(-zi)) - yi;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const off = i * K;
          let max = -Infinity;
          for (let k = 0; k < K; k++) max = Math.max(max, z[off + k]);
          let sum = 0;
          for (let k = 0; k < K; k++) sum += Math.exp(z[off + k] - max);
          loss += max + Math.log(sum) - z[off + y[i]];
          resid.set(z.subarray(off, off + K), off);
          softmaxInPlace(resid, off, K);
          resid[off + y[i]] -= 1;
        }
      }
      let penalty = 0;
      for (let k = 0; k < K; k++) {
        let gb = 0;
        for (let i = 0; i < n; i++) gb += resid[i * K + k];
        grad[K * p + k] = gb;
        for (let j = 0; j < p; j++) {
          const col = x.columns[j];
          let gw = 0;
          for (let i = 0; i < n; i++) gw += resid[i * K + k] * col[i];
          const wj = w[k * p + j];
          grad[k * p + j] = gw + wj / C;
          penalty += wj * wj;
        }
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
