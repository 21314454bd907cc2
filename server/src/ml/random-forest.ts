// Random forest as scikit-learn's: bootstrap samples (as row weights), a random subset of
// features at each split (sqrt by default for both tasks here), fully grown trees by default,
// and predictions that average the trees' leaf probabilities (or values).
import { binFeatures } from './histogram-binning';
import type { Algorithm, Target, TreeParams } from './model-types';
import { throwIfCancelled } from './cancellation';
import { createRng } from './random';
import { growTree } from './tree-builder';
import type { TreeEnsembleParams } from './tree-ensemble';
import { normalise, treeEnsembleModel } from './decision-tree';

export function featuresPerSplit(option: unknown, p: number): number {
  if (option === 'sqrt' || option === undefined) return Math.max(1, Math.floor(Math.sqrt(p)));
  if (option === 'log2') return Math.max(1, Math.floor(Math.log2(p)));
  if (option === 'all') return p;
  const v = Number(option);
  if (v > 0 && v <= 1) return Math.max(1, Math.floor(v * p));
  return Math.max(1, Math.min(p, Math.floor(v)));
}

export const randomForest: Algorithm = {
  name: 'random_forest',
  tasks: ['classification', 'regression'],
  allowsMissing: false,
  defaults: { trees: 100, max_depth: 0, max_features: 'sqrt', min_samples_leaf: 1 },
  fit(x, target: Target, options, ctx) {
    const n = x.nRows;
    const data = binFeatures(x.columns, n);
    const nTrees = Number(options.trees ?? 100);
    const rng = createRng(ctx.seed);
    const nClasses = target.task === 'classification' ? target.classes.length : 0;
    const grow = {
      maxDepth: Number(options.max_depth ?? 0),
      minSamplesLeaf: Number(options.min_samples_leaf ?? 1),
      maxFeatures: featuresPerSplit(options.max_features, x.columns.length),
      nClasses,
      signal: ctx.signal,
    };
    const trees: TreeParams[] = [];
    const importance = new Float64Array(x.columns.length);
    const weights = new Float64Array(n);
    for (let t = 0; t < nTrees; t++) {
      throwIfCancelled(ctx.signal);
      weights.fill(0);
      for (let i = 0; i < n; i++) weights[rng.int(n)] += 1;
      const grown = growTree(data, target.task === 'classification' ? target.y : undefined, target.task === 'regression' ? target.y : undefined, weights, grow, rng);
      trees.push(grown.tree);
      const imp = normalise(grown.importance);
      for (let j = 0; j < importance.length; j++) importance[j] += imp[j];
      ctx.onProgress?.((t + 1) / nTrees);
    }
    const params: TreeEnsembleParams = { kind: 'tree-ensemble', trees, aggregate: 'average', base: [], link: 'identity' };
    return treeEnsembleModel('random_forest', params, x.names, target.task === 'classification' ? target.classes : undefined, normalise(importance));
  },
};
