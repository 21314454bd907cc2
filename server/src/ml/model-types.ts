// What every algorithm takes and gives. Algorithms know nothing of tables, files or the language:
// they see a numeric feature matrix and a target, and return a fitted model whose parameters are
// plain data (stored in the run store, exported to ONNX).
import type { Task } from '../language/schema';
import type { CancelSignal } from './cancellation';

/** Column-major features: columns[j][i] is feature j of row i. NaN is missing. */
export interface FeatureMatrix {
  nRows: number;
  columns: Float64Array[];
  names: string[];
}

export type Target =
  | { task: 'classification'; y: Int32Array; classes: string[] }
  | { task: 'regression'; y: Float64Array };

export interface TrainContext {
  seed: number;
  /** Fraction done in [0, 1]. */
  onProgress?: (fraction: number) => void;
  /** Polled at the algorithm's safe points; when raised, `fit` throws `CancelledError`. */
  signal?: CancelSignal;
  /**
   * Rows held out of training that an algorithm may score while it learns (gradient boosting's
   * early stopping on a split's validation part), prepared as the training rows are.
   */
  validation?: { x: FeatureMatrix; target: Target };
}

/** A record is a class → weight map (`class_weight`). */
export type OptionValue = number | string | boolean | string[] | Readonly<Record<string, number>>;
export type AlgorithmOptions = Record<string, OptionValue>;

/** One decision tree as flat arrays; node 0 is the root. A leaf has feature -1. */
export interface TreeParams {
  feature: number[];
  threshold: number[];
  /** Row goes left when x <= threshold (or x is missing and missingLeft[n] is true). */
  left: number[];
  right: number[];
  missingLeft: boolean[];
  /** Leaf values: per node, one value per output (classes for a classifier's probabilities, 1 for regression/binary margin). */
  value: number[][];
}

export type ModelParams =
  | {
      kind: 'linear';
      /** One row per output: 1 for regression and binary logistic (positive class), K for multinomial. */
      coef: number[][];
      intercept: number[];
      link: 'identity' | 'logistic' | 'softmax';
    }
  | {
      kind: 'tree-ensemble';
      trees: TreeParams[];
      /** average: forest/tree (leaf values are probabilities or means); sum: boosting (leaf values are margins). */
      aggregate: 'average' | 'sum';
      /** Added to the summed margins (boosting), one per output. */
      base: number[];
      /** For boosting: per tree, which output it adds to (multiclass softmax has one tree per class per round). */
      treeOutput?: number[];
      link: 'identity' | 'logistic' | 'softmax';
      /** Boosting with early_stopping: where the loss was scored, on how many rows, and the rounds boosted of the most allowed. */
      earlyStopping?: EarlyStoppingRecord;
    }
  | { kind: 'knn'; k: number; train: number[][]; y: number[]; task: Task; nClasses?: number }
  | { kind: 'gaussian-nb'; means: number[][]; variances: number[][]; priors: number[] }
  /** K copies of a classifier (same algorithm), each with one calibrator per class (calibration.ts). */
  | { kind: 'calibrated'; method: 'sigmoid' | 'isotonic'; folds: { params: ModelParams; calibrators: Calibrator[] }[] };

export interface EarlyStoppingRecord {
  /** `holdout`: validation_fraction of the training rows; `validation`: the split's validation part. */
  on: 'holdout' | 'validation';
  rows: number;
  rounds: number;
  maxRounds: number;
}

/** One class's map from score to probability: Platt's 1 / (1 + exp(a·s + b)), or isotonic points interpolated linearly. */
export type Calibrator = { kind: 'sigmoid'; a: number; b: number } | { kind: 'isotonic'; x: number[]; y: number[] };

export interface FittedModel {
  algorithm: string;
  task: Task;
  /** Class names for classification, in the order of probability columns. */
  classes?: string[];
  featureNames: string[];
  params: ModelParams;
  /**
   * Class index (as a number) for classification, the value for regression. Slow predictors
   * (tree ensembles, kNN) poll `signal` per tree or row and throw `CancelledError`.
   */
  predict(x: FeatureMatrix, signal?: CancelSignal): Float64Array;
  /** Row-major nRows x nClasses probabilities (classification only). */
  predictProba?(x: FeatureMatrix, signal?: CancelSignal): Float64Array;
  /**
   * True when `predict` is exactly the first largest probability of `predictProba` in each row:
   * a caller that needs both scores once and takes the argmax (a forest would walk its trees twice).
   */
  predictIsArgmax?: boolean;
  featureImportances?(): Float64Array;
}

export interface Algorithm {
  name: string;
  tasks: readonly Task[];
  allowsMissing: boolean;
  /** Option defaults; the checker validates names and types against these. */
  defaults: AlgorithmOptions;
  fit(x: FeatureMatrix, target: Target, options: AlgorithmOptions, ctx: TrainContext): FittedModel;
}

/** What the run store keeps of a fitted model: plain data, enough to restore `predict`. */
export interface SavedModel {
  algorithm: string;
  task: Task;
  classes?: string[];
  featureNames: string[];
  params: ModelParams;
  importances?: number[];
}
