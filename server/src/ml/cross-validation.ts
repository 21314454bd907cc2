// K-fold row assignment, stratified by class when given, deterministic for a seed.
import type { CancelSignal } from './cancellation';
import { computeMetrics } from './metrics';
import { fitCalibrated, type CalibrationMethod } from './calibration';
import type { AlgorithmOptions, FeatureMatrix, FittedModel, Target, TrainContext } from './model-types';
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

/** Fold `f` of a k-fold cross-validation: fit on the other folds, score this one. */
export interface FoldPiece {
  algorithm: string;
  options: AlgorithmOptions;
  x: FeatureMatrix;
  target: Target;
  /** Each row's fold (kFoldIndices). */
  fold: Int32Array;
  f: number;
  /**
   * This fold's training and scored rows, in that order, when they are not the rows outside and
   * inside fold f (successive halving's subsampled folds); `fold` is then unused.
   */
  split?: { train: Int32Array; test: Int32Array };
  metrics: string[];
  seed: number;
  /** The positive class for binary metrics. */
  positiveIndex: number;
  /** Each fold's model is a calibrated one (`calibrate:`), as the model the run trains. */
  calibrate?: { method: CalibrationMethod; cv: number };
}

/** The metrics of one fold; a metric the fold cannot define (one class in it) is NaN. */
export function scoreFold(piece: FoldPiece, signal?: CancelSignal): Record<string, number> {
  const { x, target, fold, f } = piece;
  let tr = piece.split?.train;
  let te = piece.split?.test;
  if (!tr || !te) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < x.nRows; i++) (fold[i] === f ? test : train).push(i);
    tr = Int32Array.from(train);
    te = Int32Array.from(test);
  }
  const algo = getAlgorithm(piece.algorithm);
  if (!algo) throw new Error(`algorithm ${piece.algorithm} is not available`);
  // kNN with more neighbours than the fold has training rows is not the model asked for (scikit-learn
  // refuses to fit it and scores the fold NaN): the fold is not scored.
  if (piece.algorithm === 'knn' && Number(piece.options.k ?? 5) > tr.length) return Object.fromEntries(piece.metrics.map((m) => [m, NaN]));
  const fit = (xs: FeatureMatrix, ts: Target, ctx: TrainContext): FittedModel => algo.fit(xs, ts, piece.options, ctx);
  const xTrain = subsetMatrix(x, tr);
  const tTrain = subsetTarget(target, tr);
  const ctx = { seed: piece.seed, signal };
  const model = piece.calibrate && tTrain.task === 'classification' ? fitCalibrated(piece.calibrate.method, piece.calibrate.cv, xTrain, tTrain, ctx, fit) : fit(xTrain, tTrain, ctx);
  const xt = subsetMatrix(x, te);
  const proba = model.predictProba?.(xt, signal);
  return computeMetrics(piece.metrics, {
    task: target.task, yTrue: subsetTarget(target, te).y, yPred: model.predict(xt, signal), ...(proba ? { proba } : {}),
    ...(target.task === 'classification' ? { nClasses: target.classes.length, positiveIndex: piece.positiveIndex } : {}),
  });
}

/** Below this many rows the folds are computed on this thread: starting workers costs more. */
const PARALLEL_ROWS = 2_000;

/**
 * Every fold of `folds` scored, in fold order, on all cores when the data is large enough; with
 * `splits`, fold f fits on splits[f].train and scores splits[f].test.
 */
export function scoreFolds(piece: Omit<FoldPiece, 'f' | 'split'>, folds: number, signal?: CancelSignal, splits?: FoldPiece['split'][]): Record<string, number>[] {
  const parallel = piece.x.nRows >= PARALLEL_ROWS && trainingThreads() > 1;
  const input = parallel ? { ...piece, x: sharedMatrix(piece.x), target: sharedTarget(piece.target), fold: sharedInt32(piece.fold) } : piece;
  const splitOf = (f: number): Pick<FoldPiece, 'split'> => {
    const s = splits?.[f];
    if (!s) return {};
    return { split: parallel ? { train: sharedInt32(s.train), test: sharedInt32(s.test) } : s };
  };
  const pieces = Array.from({ length: folds }, (_, f) => ({ ...input, f, ...splitOf(f) }));
  return computeInParallel('cv-fold', pieces, scoreFold, signal, parallel ? trainingThreads() : 1);
}
