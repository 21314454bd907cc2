// Prediction from tree parameters alone (forests average, boosting sums margins then applies
// the link). Inputs are compared as float32, exactly as an exported ONNX model compares them.
import { throwIfCancelled, type CancelSignal } from './cancellation';
import { binaryProbabilities, softmaxInPlace } from './linear-predict';
import type { FeatureMatrix, ModelParams, TreeParams } from './model-types';

export type TreeEnsembleParams = Extract<ModelParams, { kind: 'tree-ensemble' }>;

export function leafOf(tree: TreeParams, x: FeatureMatrix, row: number): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    const v = x.columns[tree.feature[node]][row];
    const goLeft = Number.isNaN(v) ? tree.missingLeft[node] : Math.fround(v) <= tree.threshold[node];
    node = goLeft ? tree.left[node] : tree.right[node];
  }
  return node;
}

/** Number of outputs: probabilities per class (forests, multiclass boosting) or 1. */
export function ensembleOutputs(p: TreeEnsembleParams): number {
  if (p.aggregate === 'sum') return p.base.length;
  return p.trees[0]?.value[0]?.length ?? 1;
}

/** Row-major n × outputs after the link: class probabilities (binary: 2 columns) or values. */
export function predictTreeEnsemble(p: TreeEnsembleParams, x: FeatureMatrix, signal?: CancelSignal): Float64Array {
  const n = x.nRows;
  const k = ensembleOutputs(p);
  const raw = new Float64Array(n * k);
  if (p.aggregate === 'sum') for (let i = 0; i < n; i++) for (let o = 0; o < k; o++) raw[i * k + o] = p.base[o];
  p.trees.forEach((tree, t) => {
    throwIfCancelled(signal);
    const output = p.treeOutput?.[t] ?? 0;
    for (let i = 0; i < n; i++) {
      const leaf = tree.value[leafOf(tree, x, i)];
      if (p.aggregate === 'sum') raw[i * k + output] += leaf[0];
      else for (let o = 0; o < k; o++) raw[i * k + o] += leaf[o];
    }
  });
  if (p.aggregate === 'average') {
    const m = p.trees.length || 1;
    for (let i = 0; i < raw.length; i++) raw[i] /= m;
    return raw;
  }
  if (p.link === 'logistic') return binaryProbabilities(raw, n);
  if (p.link === 'softmax') for (let i = 0; i < n; i++) softmaxInPlace(raw, i * k, k);
  return raw;
}
