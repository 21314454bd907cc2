// Random forest as scikit-learn's: bootstrap samples (as row weights), a random subset of
// features at each split (sqrt by default for both tasks here), fully grown trees by default,
// and predictions that average the trees' leaf probabilities (or values).
// Each tree draws from its own random stream (derivedSeed(seed, tree)), so trees can be grown on
// several threads and the forest is the same whatever the number of threads.
import { classRowWeights } from './class-weight';
import { binFeatures } from './histogram-binning';
import type { Algorithm, AlgorithmOptions, FeatureMatrix, Target, TreeParams } from './model-types';
import { throwIfCancelled, type CancelSignal } from './cancellation';
import { createRng, derivedSeed } from './random';
import { growTree } from './tree-builder';
import type { TreeEnsembleParams } from './tree-ensemble';
import { normalise, treeEnsembleModel } from './decision-tree';
import { computeInParallel, trainingThreads } from './parallel/thread-pool';
import { sharedMatrix, sharedTarget } from './parallel/shared-arrays';

export function featuresPerSplit(option: unknown, p: number): number {
  if (option === 'sqrt' || option === undefined) return Math.max(1, Math.floor(Math.sqrt(p)));
  if (option === 'log2') return Math.max(1, Math.floor(Math.log2(p)));
  if (option === 'all') return p;
  const v = Number(option);
  if (v > 0 && v <= 1) return Math.max(1, Math.floor(v * p));
  return Math.max(1, Math.min(p, Math.floor(v)));
}

/** Trees [from, to) of a forest: what one thread grows. */
export interface ForestPiece {
  x: FeatureMatrix;
  target: Target;
  options: AlgorithmOptions;
  seed: number;
  from: number;
  to: number;
}

export interface ForestPieceResult {
  trees: TreeParams[];
  /** Per tree, its normalised impurity-decrease importance. */
  importances: Float64Array[];
}

export function growForestTrees(piece: ForestPiece, signal?: CancelSignal, onTree?: () => void): ForestPieceResult {
  const { x, target, options } = piece;
  const n = x.nRows;
  const data = binFeatures(x.columns, n);
  const grow = {
    maxDepth: Number(options.max_depth ?? 0),
    minSamplesLeaf: Number(options.min_samples_leaf ?? 1),
    maxFeatures: featuresPerSplit(options.max_features, x.columns.length),
    nClasses: target.task === 'classification' ? target.classes.length : 0,
    signal,
  };
  const result: ForestPieceResult = { trees: [], importances: [] };
  const weights = new Float64Array(n);
  // class_weight from every training row, then times each tree's bootstrap counts, as
  // scikit-learn's class_weight="balanced" (not "balanced_subsample").
  const classWeight = classRowWeights(options, target);
  for (let t = piece.from; t < piece.to; t++) {
    throwIfCancelled(signal);
    const rng = createRng(derivedSeed(piece.seed, t));
    weights.fill(0);
    for (let i = 0; i < n; i++) weights[rng.int(n)] += 1;
    if (classWeight) for (let i = 0; i < n; i++) weights[i] *= classWeight[i];
    const grown = growTree(data, target.task === 'classification' ? target.y : undefined, target.task === 'regression' ? target.y : undefined, weights, grow, rng);
    result.trees.push(grown.tree);
    result.importances.push(normalise(grown.importance));
    onTree?.();
  }
  return result;
}

/** Below this many row-trees the forest is grown on this thread: starting workers costs more. */
const PARALLEL_WORK = 400_000;

export const randomForest: Algorithm = {
  name: 'random_forest',
  tasks: ['classification', 'regression'],
  allowsMissing: false,
  defaults: { trees: 100, max_depth: 0, max_features: 'sqrt', min_samples_leaf: 1 },
  fit(x, target: Target, options, ctx) {
    const nTrees = Number(options.trees ?? 100);
    const threads = x.nRows * nTrees >= PARALLEL_WORK ? Math.min(trainingThreads(), nTrees) : 1;
    const parallel = threads > 1;
    const input = parallel ? { x: sharedMatrix(x), target: sharedTarget(target) } : { x, target };
    const pieces: ForestPiece[] = Array.from({ length: threads }, (_, k) => ({
      ...input, options, seed: ctx.seed, from: Math.floor((k * nTrees) / threads), to: Math.floor(((k + 1) * nTrees) / threads),
    }));
    // Progress is counted on this thread's share, which keeps pace with the others'.
    const mine = pieces[0].to - pieces[0].from;
    let grown = 0;
    const results = computeInParallel('forest-trees', pieces, (piece, signal) => growForestTrees(piece, signal, () => ctx.onProgress?.(++grown / mine)), ctx.signal, threads);
    const trees = results.flatMap((r) => r.trees);
    const importance = new Float64Array(x.columns.length);
    // Summed in tree order, so the float sum is the same for any number of threads.
    for (const r of results) for (const imp of r.importances) for (let j = 0; j < importance.length; j++) importance[j] += imp[j];
    const params: TreeEnsembleParams = { kind: 'tree-ensemble', trees, aggregate: 'average', base: [], link: 'identity' };
    return treeEnsembleModel('random_forest', params, x.names, target.task === 'classification' ? target.classes : undefined, normalise(importance));
  },
};
