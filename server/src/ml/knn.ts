// k nearest neighbours by Euclidean distance, brute force over typed arrays. Classification:
// share of the k neighbours per class (ties go to the lowest class index, as scikit-learn's
// argmax); regression: mean of the neighbours' values.
import { throwIfCancelled, type CancelSignal } from './cancellation';
import { argmaxRows } from './linear-predict';
import type { Algorithm, FeatureMatrix, FittedModel, ModelParams, Target } from './model-types';

type KnnParams = Extract<ModelParams, { kind: 'knn' }>;

function neighbourOutputs(p: KnnParams, x: FeatureMatrix, signal?: CancelSignal): Float64Array {
  const nTrain = p.y.length;
  const dims = x.columns.length;
  const k = Math.min(p.k, nTrain);
  const outputs = p.task === 'classification' ? p.nClasses ?? 2 : 1;
  const out = new Float64Array(x.nRows * outputs);
  const dist = new Float64Array(nTrain);
  const idx = new Int32Array(nTrain);
  const row = new Float64Array(dims);
  for (let i = 0; i < x.nRows; i++) {
    // Each row scans and sorts the whole training set: poll for cancellation per row.
    throwIfCancelled(signal);
    for (let d = 0; d < dims; d++) row[d] = x.columns[d][i];
    for (let t = 0; t < nTrain; t++) {
      const tr = p.train[t];
      let s = 0;
      for (let d = 0; d < dims; d++) { const diff = tr[d] - row[d]; s += diff * diff; }
      dist[t] = s;
      idx[t] = t;
    }
    // Partial selection of the k smallest (stable by training order on ties, as a stable sort would).
    const chosen = idx.slice().sort((a, b) => dist[a] - dist[b] || a - b).subarray(0, k);
    if (p.task === 'classification') {
      for (const t of chosen) out[i * outputs + p.y[t]] += 1 / k;
    } else {
      let s = 0;
      for (const t of chosen) s += p.y[t];
      out[i] = s / k;
    }
  }
  return out;
}

export function knnModel(params: KnnParams, featureNames: string[], classes?: string[]): FittedModel {
  const outputs = params.nClasses ?? 1;
  return {
    algorithm: 'knn',
    task: params.task,
    ...(classes ? { classes } : {}),
    featureNames,
    params,
    predict: (x, signal) => (params.task === 'regression' ? neighbourOutputs(params, x, signal) : argmaxRows(neighbourOutputs(params, x, signal), x.nRows, outputs)),
    ...(params.task === 'classification' ? { predictProba: (x: FeatureMatrix, signal?: CancelSignal) => neighbourOutputs(params, x, signal), predictIsArgmax: true } : {}),
  };
}

export const knn: Algorithm = {
  name: 'knn',
  tasks: ['classification', 'regression'],
  allowsMissing: false,
  defaults: { k: 5 },
  fit(x, target: Target, options, ctx) {
    const train: number[][] = [];
    for (let i = 0; i < x.nRows; i++) train.push(x.columns.map((c) => c[i]));
    ctx.onProgress?.(1);
    const params: KnnParams = target.task === 'classification'
      ? { kind: 'knn', k: Number(options.k ?? 5), train, y: Array.from(target.y), task: 'classification', nClasses: target.classes.length }
      : { kind: 'knn', k: Number(options.k ?? 5), train, y: Array.from(target.y), task: 'regression' };
    return knnModel(params, x.names, target.task === 'classification' ? target.classes : undefined);
  },
};
