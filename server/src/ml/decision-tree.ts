// One CART decision tree (gini / squared error), as scikit-learn's DecisionTreeClassifier and
// DecisionTreeRegressor with all features tried at every split.
import { classRowWeights } from './class-weight';
import { binFeatures } from './histogram-binning';
import type { Algorithm, FeatureMatrix, FittedModel, Target } from './model-types';
import type { CancelSignal } from './cancellation';
import { createRng } from './random';
import { growTree } from './tree-builder';
import { predictTreeEnsemble, type TreeEnsembleParams } from './tree-ensemble';
import { argmaxRows } from './linear-predict';

export function treeEnsembleModel(algorithm: string, params: TreeEnsembleParams, featureNames: string[], classes: string[] | undefined, importances?: Float64Array): FittedModel {
  const classification = classes !== undefined;
  const k = classes?.length ?? 1;
  return {
    algorithm,
    task: classification ? 'classification' : 'regression',
    ...(classes ? { classes } : {}),
    featureNames,
    params,
    predict(x: FeatureMatrix, signal?: CancelSignal) {
      const out = predictTreeEnsemble(params, x, signal);
      return classification ? argmaxRows(out, x.nRows, k) : out;
    },
    ...(classification ? { predictProba: (x: FeatureMatrix, signal?: CancelSignal) => predictTreeEnsemble(params, x, signal), predictIsArgmax: true } : {}),
    ...(importances ? { featureImportances: () => importances } : {}),
  };
}

export function normalise(v: Float64Array): Float64Array {
  const total = v.reduce((a, b) => a + b, 0);
  return total > 0 ? v.map((x) => x / total) : v;
}

export const decisionTree: Algorithm = {
  name: 'decision_tree',
  tasks: ['classification', 'regression'],
  allowsMissing: false,
  defaults: { max_depth: 0, min_samples_leaf: 1 },
  fit(x, target: Target, options, ctx) {
    const data = binFeatures(x.columns, x.nRows);
    // class_weight weighs the impurities and leaf probabilities (min_samples_leaf still counts rows).
    const weights = classRowWeights(options, target) ?? new Float64Array(x.nRows).fill(1);
    const nClasses = target.task === 'classification' ? target.classes.length : 0;
    const grown = growTree(
      data,
      target.task === 'classification' ? target.y : undefined,
      target.task === 'regression' ? target.y : undefined,
      weights,
      { maxDepth: Number(options.max_depth ?? 0), minSamplesLeaf: Number(options.min_samples_leaf ?? 1), maxFeatures: x.columns.length, nClasses, signal: ctx.signal },
      createRng(ctx.seed),
    );
    ctx.onProgress?.(1);
    const params: TreeEnsembleParams = { kind: 'tree-ensemble', trees: [grown.tree], aggregate: 'average', base: [], link: 'identity' };
    return treeEnsembleModel('decision_tree', params, x.names, target.task === 'classification' ? target.classes : undefined, normalise(grown.importance));
  },
};
