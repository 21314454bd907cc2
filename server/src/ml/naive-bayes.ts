// Gaussian naive Bayes as scikit-learn's GaussianNB: per-class means and variances, with
// var_smoothing × (largest feature variance) added to every variance.
import { argmaxRows, softmaxInPlace } from './linear-predict';
import type { Algorithm, FeatureMatrix, FittedModel, ModelParams, Target } from './model-types';

type NbParams = Extract<ModelParams, { kind: 'gaussian-nb' }>;

function jointLogLikelihood(p: NbParams, x: FeatureMatrix): Float64Array {
  const k = p.priors.length;
  const out = new Float64Array(x.nRows * k);
  for (let c = 0; c < k; c++) {
    let base = Math.log(p.priors[c]);
    for (let j = 0; j < p.means[c].length; j++) base -= 0.5 * Math.log(2 * Math.PI * p.variances[c][j]);
    for (let i = 0; i < x.nRows; i++) {
      let s = base;
      for (let j = 0; j < p.means[c].length; j++) {
        const d = x.columns[j][i] - p.means[c][j];
        s -= (0.5 * d * d) / p.variances[c][j];
      }
      out[i * k + c] = s;
    }
  }
  return out;
}

export function naiveBayesModel(params: NbParams, featureNames: string[], classes: string[]): FittedModel {
  const k = params.priors.length;
  const proba = (x: FeatureMatrix): Float64Array => {
    const z = jointLogLikelihood(params, x);
    for (let i = 0; i < x.nRows; i++) softmaxInPlace(z, i * k, k);
    return z;
  };
  return {
    algorithm: 'naive_bayes',
    task: 'classification',
    classes,
    featureNames,
    params,
    predict: (x) => argmaxRows(jointLogLikelihood(params, x), x.nRows, k),
    predictProba: proba,
  };
}

export const naiveBayes: Algorithm = {
  name: 'naive_bayes',
  tasks: ['classification'],
  allowsMissing: false,
  defaults: { var_smoothing: 1e-9 },
  fit(x, target: Target, options, ctx) {
    if (target.task !== 'classification') throw new Error('naive_bayes needs a classification target');
    const k = target.classes.length;
    const p = x.columns.length;
    const n = x.nRows;
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) counts[target.y[i]]++;
    const means = Array.from({ length: k }, () => new Array<number>(p).fill(0));
    const variances = Array.from({ length: k }, () => new Array<number>(p).fill(0));
    let maxVar = 0;
    for (let j = 0; j < p; j++) {
      const col = x.columns[j];
      let m = 0;
      for (let i = 0; i < n; i++) m += col[i];
      m /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (col[i] - m) ** 2;
      maxVar = Math.max(maxVar, v / n);
      for (let i = 0; i < n; i++) means[target.y[i]][j] += col[i];
      for (let c = 0; c < k; c++) means[c][j] /= Math.max(1, counts[c]);
      for (let i = 0; i < n; i++) variances[target.y[i]][j] += (col[i] - means[target.y[i]][j]) ** 2;
      for (let c = 0; c < k; c++) variances[c][j] /= Math.max(1, counts[c]);
    }
    const epsilon = Number(options.var_smoothing ?? 1e-9) * maxVar;
    for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) variances[c][j] += epsilon;
    ctx.onProgress?.(1);
    const priors = Array.from(counts, (c) => c / n);
    return naiveBayesModel({ kind: 'gaussian-nb', means, variances, priors }, x.names, target.classes);
  },
};
