// K-fold row assignment, stratified by class when given, deterministic for a seed.
import type { CancelSignal } from './cancellation';
import { computeMetrics } from './metrics';
import type { AlgorithmOptions, FeatureMatrix, Target } from './model-types';
import { computeInParallel, trainingThreads } from './parallel/thread-pool';
import { sharedInt32, sharedMatrix, sharedTarget } from './parallel/shared-arrays';
import { createRng, shuffleInPlace } from './random';
import { getAlgorithm } from './registry';
import { subsetMatrix, subsetTarget } from './subset';

export function kFoldIndices(n: number, k: number, seed: number, stratifyBy?: Int32Array): Int32Array {
  const fold = new Int32Array(n);
  const rng = createRng(seed);
  if (!stratifyBy) {
    const order = shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), rng);
    order.forEach((row, i) => { fold[row] = i % k; });
    return fold;
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups.get(stratifyBy[i]) ?? [];
    g.push(i);
    groups.set(stratifyBy[i], g);
  }
  let offset = 0;
  for (const rows of groups.values()) {
    shuffleInPlace(rows, rng);
    rows.forEach((row, i) => { fold[row] = (i + offset) % k; });
    offset += rows.length;
  }
  return fold;
}

/**
 * scikit-learn's default folds (cv=K of a stacking or calibration): KFold without shuffling for
 * regression (contiguous blocks, the first n % k one row longer), StratifiedKFold without shuffling
 * for classes (each class, in order of first appearance, dealt to the folds in blocks so every
 * fold gets its share). Reproduced exactly so our out-of-fold predictions are sklearn's.
 */
export function sklearnFolds(n: number, k: number, stratifyBy?: Int32Array): Int32Array {
  const fold = new Int32Array(n);
  if (!stratifyBy) {
    const base = Math.floor(n / k);
    let at = 0;
    for (let f = 0; f < k; f++) {
      const size = base + (f < n % k ? 1 : 0);
      fold.fill(f, at, at + size);
      at += size;
    }
    return fold;
  }
  const firstSeen = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!firstSeen.has(stratifyBy[i])) firstSeen.set(stratifyBy[i], firstSeen.size);
  const encoded = Int32Array.from(stratifyBy, (c) => firstSeen.get(c)!);
  const counts = new Int32Array(firstSeen.size);
  for (const c of encoded) counts[c]++;
  // allocation[f][c]: rows of class c in fold f, as bincount(sorted_y[f::k]) deals them.
  const sorted = Int32Array.from(encoded).sort();
  const allocation = Array.from({ length: k }, () => new Int32Array(counts.length));
  for (let i = 0; i < n; i++) allocation[i % k][sorted[i]]++;
  for (let c = 0; c < counts.length; c++) {
    let f = 0;
    let left = allocation[0][c];
    for (let i = 0; i < n; i++) {
      if (encoded[i] !== c) continue;
      while (left === 0) left = allocation[++f][c];
      fold[i] = f;
      left--;
    }
  }
  return fold;
}

/** Fold `f` of a k-fold cross-validation: fit on the other folds, score this one. */
export interface FoldPiece {
  algorithm: string;
  options: AlgorithmOptions;
  x: FeatureMatrix;
  target: Target;
  /** Each row's fold (kFoldIndices). */
  fold: Int32Array;
  f: number;
  metrics: string[];
  seed: number;
  /** The positive class for binary metrics. */
  positiveIndex: number;
}

/** The metrics of one fold; a metric the fold cannot define (one class in it) is NaN. */
export function scoreFold(piece: FoldPiece, signal?: CancelSignal): Record<string, number> {
  const { x, target, fold, f } = piece;
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < x.nRows; i++) (fold[i] === f ? test : train).push(i);
  const tr = Int32Array.from(train);
  const te = Int32Array.from(test);
  const algo = getAlgorithm(piece.algorithm);
  if (!algo) throw new Error(`algorithm ${piece.algorithm} is not available`);
  const model = algo.fit(subsetMatrix(x, tr), subsetTarget(target, tr), piece.options, { seed: piece.seed, signal });
  const xt = subsetMatrix(x, te);
  const proba = model.predictProba?.(xt, signal);
  return computeMetrics(piece.metrics, {
    task: target.task, yTrue: subsetTarget(target, te).y, yPred: model.predict(xt, signal), ...(proba ? { proba } : {}),
    ...(target.task === 'classification' ? { nClasses: target.classes.length, positiveIndex: piece.positiveIndex } : {}),
  });
}

/** Below this many rows the folds are computed on this thread: starting workers costs more. */
const PARALLEL_ROWS = 2_000;

/** Every fold of `folds` scored, in fold order, on all cores when the data is large enough. */
export function scoreFolds(piece: Omit<FoldPiece, 'f'>, folds: number, signal?: CancelSignal): Record<string, number>[] {
  const parallel = piece.x.nRows >= PARALLEL_ROWS && trainingThreads() > 1;
  const input = parallel ? { ...piece, x: sharedMatrix(piece.x), target: sharedTarget(piece.target), fold: sharedInt32(piece.fold) } : piece;
  const pieces = Array.from({ length: folds }, (_, f) => ({ ...input, f }));
  return computeInParallel('cv-fold', pieces, scoreFold, signal, parallel ? trainingThreads() : 1);
}
