// What the language knows about algorithms, resampling, feature selection, tuning, ensembles,
// metrics and statistical tests: names, tasks, options with their defaults and valid ranges.
// Pure data. The checker validates against it (NML116/117/120), the editor completes from it,
// and the runner resolves options from it, so all three agree on every default.
import type { Task } from '../language/schema';

export type OptionSpec =
  | { kind: 'number'; default: number; min?: number; max?: number; minExclusive?: boolean; doc: string }
  | { kind: 'integer'; default: number; min?: number; max?: number; doc: string }
  | { kind: 'boolean'; default: boolean; doc: string }
  | { kind: 'enum'; default: string; values: readonly string[]; doc: string }
  /** A number in (0, 1] (fraction of features) or one of the words. */
  | { kind: 'number-or-enum'; default: string | number; values: readonly string[]; min: number; doc: string }
  /** Without `defaultMs`: no limit unless given. */
  | { kind: 'duration'; defaultMs?: number; doc: string }
  | { kind: 'algorithm-list'; doc: string }
  | { kind: 'metric'; doc: string }
  | { kind: 'model-list'; doc: string }
  /** One algorithm's name (its default options), the default depending on the task. */
  | { kind: 'algorithm'; defaults: Readonly<Record<Task, string>>; doc: string };

export interface AlgorithmSpec {
  name: string;
  tasks: readonly Task[];
  allowsMissing: boolean;
  /** The ONNX exporter can write its fitted model. */
  exportsToOnnx: boolean;
  options: Readonly<Record<string, OptionSpec>>;
  /** Takes the model's `class_weight` (weighted loss, impurity or gradients). */
  classWeight?: true;
  doc: string;
}

const maxDepth = (d: number): OptionSpec => ({ kind: 'integer', default: d, min: 0, doc: 'maximum tree depth (0 = unlimited)' });

export const ALGORITHMS: Readonly<Record<string, AlgorithmSpec>> = {
  logistic_regression: {
    name: 'logistic_regression', classWeight: true, tasks: ['classification'], allowsMissing: false, exportsToOnnx: true,
    doc: 'Multinomial logistic regression with L2 penalty (as scikit-learn\'s LogisticRegression).',
    options: {
      c: { kind: 'number', default: 1.0, min: 0, minExclusive: true, doc: 'inverse regularisation strength (smaller = stronger)' },
      max_iter: { kind: 'integer', default: 200, min: 1, doc: 'maximum solver iterations' },
    },
  },
  linear_regression: {
    name: 'linear_regression', tasks: ['regression'], allowsMissing: false, exportsToOnnx: true,
    doc: 'Ordinary least squares; ridge regression when alpha > 0.',
    options: { alpha: { kind: 'number', default: 0, min: 0, doc: 'L2 penalty (0 = ordinary least squares)' } },
  },
  decision_tree: {
    name: 'decision_tree', classWeight: true, tasks: ['classification', 'regression'], allowsMissing: false, exportsToOnnx: true,
    doc: 'A CART decision tree (gini / squared error).',
    options: {
      max_depth: maxDepth(0),
      min_samples_leaf: { kind: 'integer', default: 1, min: 1, doc: 'minimum rows in a leaf' },
    },
  },
  random_forest: {
    name: 'random_forest', classWeight: true, tasks: ['classification', 'regression'], allowsMissing: false, exportsToOnnx: true,
    doc: 'Bootstrap-aggregated decision trees with random feature subsets.',
    options: {
      trees: { kind: 'integer', default: 100, min: 1, doc: 'number of trees' },
      max_depth: maxDepth(0),
      max_features: { kind: 'number-or-enum', default: 'sqrt', values: ['sqrt', 'log2', 'all'], min: 0, doc: 'features tried per split: "sqrt", "log2", "all", or a fraction in (0, 1]' },
      min_samples_leaf: { kind: 'integer', default: 1, min: 1, doc: 'minimum rows in a leaf' },
    },
  },
  gradient_boosting: {
    name: 'gradient_boosting', classWeight: true, tasks: ['classification', 'regression'], allowsMissing: true, exportsToOnnx: true,
    doc: 'Histogram-binned gradient boosting with native missing values.',
    options: {
      rounds: { kind: 'integer', default: 100, min: 1, doc: 'boosting rounds' },
      learning_rate: { kind: 'number', default: 0.1, min: 0, max: 1, minExclusive: true, doc: 'shrinkage per round, in (0, 1]' },
      max_depth: maxDepth(3),
      min_samples_leaf: { kind: 'integer', default: 20, min: 1, doc: 'minimum rows in a leaf' },
      l2_regularization: { kind: 'number', default: 0, min: 0, doc: 'L2 penalty on leaf values' },
      early_stopping: { kind: 'integer', default: 0, min: 0, doc: 'stop once this many rounds in a row do not lower the loss on held-out rows (the split\'s validation part, else validation_fraction of the training rows); 0 = off' },
      validation_fraction: { kind: 'number', default: 0.1, min: 0, max: 0.9, minExclusive: true, doc: 'share of the training rows held out (seeded, stratified for classes) to score early_stopping when there is no validation part' },
    },
  },
  knn: {
    name: 'knn', tasks: ['classification', 'regression'], allowsMissing: false, exportsToOnnx: true,
    doc: 'k nearest neighbours (Euclidean distance).',
    options: { k: { kind: 'integer', default: 5, min: 1, doc: 'number of neighbours' } },
  },
  naive_bayes: {
    name: 'naive_bayes', tasks: ['classification'], allowsMissing: false, exportsToOnnx: true,
    doc: 'Gaussian naive Bayes.',
    options: { var_smoothing: { kind: 'number', default: 1e-9, min: 0, doc: 'share of the largest variance added to every variance' } },
  },
  auto: {
    name: 'auto', tasks: ['classification', 'regression'], allowsMissing: true, exportsToOnnx: false,
    doc: 'AutoML: tries candidate algorithms (cross-validated on the training data) and keeps the best.',
    options: {
      candidates: { kind: 'algorithm-list', doc: 'algorithms to try (default: every one that fits the task)' },
      metric: { kind: 'metric', doc: 'metric to optimise (default: f1 for classification, r2 for regression)' },
      budget: { kind: 'duration', defaultMs: 60_000, doc: 'time budget, checked between candidates: one starts only when the time spent plus the longest candidate so far fits in it' },
      trials: { kind: 'integer', default: 10, min: 1, doc: 'maximum candidate configurations' },
    },
  },
};

/** The candidates `auto` tries: the listed ones, or every algorithm that fits the task. */
export function autoCandidates(options: Readonly<Record<string, unknown>>, task: Task | undefined): AlgorithmSpec[] {
  const listed = options.candidates;
  const names = Array.isArray(listed) && listed.length > 0 ? (listed as string[]) : Object.keys(ALGORITHMS);
  return names.map((n) => ALGORITHMS[n]).filter((a) => a && a.name !== 'auto' && (!task || a.tasks.includes(task)));
}

export interface MethodSpec {
  name: string;
  /** Tasks it fits; empty means any. */
  tasks: readonly Task[];
  /** Part of the language but not implemented by the runner yet (the checker reports NML118). */
  notImplementedYet?: true;
  options: Readonly<Record<string, OptionSpec>>;
  doc: string;
}

const kNeighbours: OptionSpec = { kind: 'integer', default: 5, min: 1, doc: 'neighbours used to synthesise rows' };

export const RESAMPLERS: Readonly<Record<string, MethodSpec>> = {
  smote: { name: 'smote', tasks: ['classification'], options: { k: kNeighbours }, doc: 'synthesise minority rows between neighbours' },
  adasyn: { name: 'adasyn', tasks: ['classification'], options: { k: kNeighbours }, doc: 'SMOTE weighted towards hard minority rows' },
  borderline_smote: { name: 'borderline_smote', tasks: ['classification'], options: { k: kNeighbours }, doc: 'SMOTE from minority rows near the border' },
  undersample: { name: 'undersample', tasks: ['classification'], options: {}, doc: 'drop majority rows at random until classes balance' },
  oversample: { name: 'oversample', tasks: ['classification'], options: {}, doc: 'repeat minority rows at random until classes balance' },
};

export const SELECTORS: Readonly<Record<string, MethodSpec>> = {
  correlation: { name: 'correlation', tasks: [], options: { threshold: { kind: 'number', default: 0.95, min: 0, max: 1, doc: 'drop one of each feature pair correlated above this' } }, doc: 'drop near-duplicate features' },
  mutual_info: { name: 'mutual_info', tasks: [], options: { top: { kind: 'integer', default: 10, min: 1, doc: 'features to keep' } }, doc: 'keep the features with the most mutual information with the target' },
  rfe: { name: 'rfe', tasks: [], options: { top: { kind: 'integer', default: 10, min: 1, doc: 'features to keep' } }, doc: 'recursive feature elimination by importance' },
};

const tuneBudget: OptionSpec = { kind: 'duration', doc: 'time budget, checked between combinations: one starts only when the time spent plus the longest combination so far fits in it; the best so far wins (default: no limit)' };
const tuneMetric: OptionSpec = { kind: 'metric', doc: 'cross-validated metric that ranks the combinations (default: accuracy for classification, r2 for regression); error metrics such as rmse are minimised' };

export const TUNERS: Readonly<Record<string, MethodSpec>> = {
  grid: { name: 'grid', tasks: [], options: { metric: tuneMetric, budget: tuneBudget }, doc: 'try every combination of the listed values' },
  random: { name: 'random', tasks: [], options: { trials: { kind: 'integer', default: 10, min: 1, doc: 'combinations to try' }, metric: tuneMetric, budget: tuneBudget }, doc: 'try random combinations' },
  halving: {
    name: 'halving', tasks: [],
    options: {
      factor: { kind: 'integer', default: 3, min: 2, doc: 'each round keeps the best 1/factor of the combinations and gives them factor times the rows' },
      min_rows: { kind: 'integer', default: 0, min: 0, doc: 'training rows of the first round (0: as scikit-learn\'s min_resources="exhaust", the most that lets the last round use nearly every row)' },
      trials: { kind: 'integer', default: 0, min: 0, doc: 'halve this many combinations drawn at random, as scikit-learn\'s HalvingRandomSearchCV(n_candidates=trials) (0: every combination, HalvingGridSearchCV)' },
      metric: tuneMetric, budget: tuneBudget,
    },
    doc: 'successive halving over every combination, as scikit-learn\'s HalvingGridSearchCV (or over `trials` random ones, as HalvingRandomSearchCV) with the training rows as resource: all are scored on few rows, the best go on to more',
  },
};

const members: OptionSpec = { kind: 'model-list', doc: 'member models (each with an algorithm, trained from the same dataset and target)' };
/** scikit-learn's final models: StackingClassifier's logistic regression, StackingRegressor's RidgeCV (linear_regression with RIDGE_CV_ALPHAS searched). */
const finalModel: OptionSpec = { kind: 'algorithm', defaults: { classification: 'logistic_regression', regression: 'linear_regression' }, doc: 'the model trained on the members\' predictions, with its default options (default logistic_regression for classification; for regression scikit-learn\'s RidgeCV: linear_regression with alpha 0.1, 1 or 10, whichever has the lowest leave-one-out error — an explicit final: linear_regression is OLS)' };

/** The alphas scikit-learn's RidgeCV tries, the default final model of a regression's stacking or blending. */
export const RIDGE_CV_ALPHAS: readonly number[] = [0.1, 1, 10];
const passthrough: OptionSpec = { kind: 'boolean', default: false, doc: 'also give the final model the ensemble\'s own features (the columns of its table that `features`/`exclude` choose), as scikit-learn\'s passthrough=True' };

export const ENSEMBLES: Readonly<Record<string, MethodSpec>> = {
  voting: { name: 'voting', tasks: [], options: { of: members, soft: { kind: 'boolean', default: true, doc: 'average probabilities (soft) or count votes (hard)' } }, doc: 'average or vote over member models' },
  stacking: {
    name: 'stacking', tasks: [],
    options: { of: members, final: finalModel, cv: { kind: 'integer', default: 5, min: 2, doc: 'folds whose out-of-fold predictions train the final model (scikit-learn\'s default folds: stratified for classes, unshuffled)' }, passthrough: passthrough },
    doc: 'a final model trained on the members\' out-of-fold predictions on the training rows (as scikit-learn\'s StackingClassifier/Regressor); the members predict as trained on every training row',
  },
  blending: {
    name: 'blending', tasks: [],
    options: { of: members, final: finalModel, passthrough: passthrough, holdout: { kind: 'number', default: 0.2, min: 0, max: 0.9, minExclusive: true, doc: 'share of the training rows held out (seeded, stratified for classes) for the final model' } },
    doc: 'members refitted on the training rows outside a holdout, a final model trained on their predictions for the holdout (the members are not refitted on every row)',
  },
};

const calibrationFolds: OptionSpec = { kind: 'integer', default: 5, min: 2, doc: 'folds: one calibrated copy of the model per fold, their probabilities averaged' };

export const CALIBRATORS: Readonly<Record<string, MethodSpec>> = {
  sigmoid: { name: 'sigmoid', tasks: ['classification'], options: { cv: calibrationFolds }, doc: 'Platt scaling: a logistic curve over the model\'s scores, as scikit-learn\'s CalibratedClassifierCV(method="sigmoid")' },
  isotonic: { name: 'isotonic', tasks: ['classification'], options: { cv: calibrationFolds }, doc: 'isotonic regression over the model\'s scores (needs more rows than sigmoid), as CalibratedClassifierCV(method="isotonic")' },
};

export interface MetricSpec {
  name: string;
  task: Task;
  /** True when larger is better (accuracy), false for errors (rmse, log_loss). */
  higherIsBetter: boolean;
  /** Needs class probabilities (roc_auc, log_loss). */
  needsProbabilities?: boolean;
  doc: string;
}

const metric = (name: string, task: Task, higherIsBetter: boolean, doc: string, needsProbabilities = false): MetricSpec =>
  ({ name, task, higherIsBetter, doc, ...(needsProbabilities ? { needsProbabilities } : {}) });

export const METRICS: Readonly<Record<string, MetricSpec>> = {
  accuracy: metric('accuracy', 'classification', true, 'share of rows predicted right'),
  balanced_accuracy: metric('balanced_accuracy', 'classification', true, 'mean recall over classes'),
  precision: metric('precision', 'classification', true, 'positive predictive value (macro average for multiclass)'),
  recall: metric('recall', 'classification', true, 'true positive rate (macro average for multiclass)'),
  f1: metric('f1', 'classification', true, 'harmonic mean of precision and recall (macro average for multiclass)'),
  precision_weighted: metric('precision_weighted', 'classification', true, 'precision averaged over classes weighted by support'),
  recall_weighted: metric('recall_weighted', 'classification', true, 'recall averaged over classes weighted by support'),
  f1_weighted: metric('f1_weighted', 'classification', true, 'f1 averaged over classes weighted by support'),
  roc_auc: metric('roc_auc', 'classification', true, 'area under the ROC curve (macro one-vs-rest for multiclass)', true),
  log_loss: metric('log_loss', 'classification', false, 'cross-entropy of the predicted probabilities', true),
  rmse: metric('rmse', 'regression', false, 'root mean squared error'),
  mae: metric('mae', 'regression', false, 'mean absolute error'),
  r2: metric('r2', 'regression', true, 'coefficient of determination'),
  mape: metric('mape', 'regression', false, 'mean absolute percentage error (as a fraction, like scikit-learn)'),
};

export const DEFAULT_METRICS: Readonly<Record<Task, readonly string[]>> = {
  classification: ['accuracy', 'f1', 'roc_auc'],
  regression: ['rmse', 'mae', 'r2'],
};

export const COMPARE_TESTS = ['mcnemar', 'bootstrap', 'paired_t'] as const;
export type CompareTest = (typeof COMPARE_TESTS)[number];

/**
 * What each test's p-value is about, per metric it can judge. McNemar counts the rows one model
 * gets right and the other wrong, so it judges accuracy only; the paired t-test compares a
 * per-row loss that orders two models on the same rows as the metric does; the bootstrap
 * recomputes the metric itself on resampled rows, so it judges any metric.
 */
export const COMPARE_TEST_OUTCOMES: Readonly<Record<CompareTest, Readonly<Record<string, string>>>> = {
  mcnemar: { accuracy: 'the rows one model predicts right and the other wrong, that is accuracy' },
  paired_t: {
    accuracy: 'the mean per-row 0/1 error, that is accuracy',
    log_loss: 'the mean per-row log loss',
    rmse: 'the mean per-row squared error, that is rmse',
    r2: 'the mean per-row squared error, which orders models as r2 on the same rows',
    mae: 'the mean per-row absolute error, that is mae',
    mape: 'the mean per-row absolute percentage error, that is mape',
  },
  bootstrap: Object.fromEntries(Object.keys(METRICS).map((m) => [m, `the difference in ${m} over resampled rows`])),
};

/** The test that judges `metric`: McNemar for accuracy, the paired t-test for per-row losses, else the bootstrap. */
export function defaultCompareTest(metric: string): CompareTest {
  if (COMPARE_TEST_OUTCOMES.mcnemar[metric]) return 'mcnemar';
  if (COMPARE_TEST_OUTCOMES.paired_t[metric] && METRICS[metric]?.task === 'regression') return 'paired_t';
  return 'bootstrap';
}

/** Significance level below which a comparison names a winner. */
export const DEFAULT_COMPARE_ALPHA = 0.05;

export const DRIFT_METHODS: Readonly<Record<string, MethodSpec>> = {
  psi: { name: 'psi', tasks: [], options: { threshold: { kind: 'number', default: 0.2, min: 0, doc: 'population stability index above which a column drifts' } }, doc: 'population stability index per column' },
  ks: { name: 'ks', tasks: [], options: { threshold: { kind: 'number', default: 0.1, min: 0, max: 1, doc: 'Kolmogorov-Smirnov statistic above which a column drifts' } }, doc: 'Kolmogorov-Smirnov statistic per numeric column' },
  kl: { name: 'kl', tasks: [], options: { threshold: { kind: 'number', default: 0.1, min: 0, doc: 'KL divergence (nats) above which a column drifts' } }, doc: 'KL divergence of the current distribution from the baseline, KL(current || baseline), over the PSI bins or category levels' },
  js: { name: 'js', tasks: [], options: { threshold: { kind: 'number', default: 0.1, min: 0, max: 1, doc: 'Jensen-Shannon distance (natural log, at most sqrt(ln 2) = 0.833) above which a column drifts' } }, doc: 'Jensen-Shannon distance over the PSI bins or category levels' },
  wasserstein: { name: 'wasserstein', tasks: [], options: { threshold: { kind: 'number', default: 0.1, min: 0, doc: 'Wasserstein distance, in the column\'s own units, above which a column drifts' } }, doc: 'first Wasserstein (earth mover\'s) distance per numeric column, on the raw values' },
};

/** `retrain:` words; `schedule "cron"` is the fourth form. */
export const RETRAIN_POLICIES = ['on_drift', 'on_alert', 'never'] as const;

/** Options of a retraining form (`on_alert(with_actuals: true)`, `schedule("0 3 * * 0", with_actuals: true)`). */
export const RETRAIN_OPTIONS = {
  with_actuals: 'true: the retrained model learns from its training rows and the predictions whose labels arrived through actuals: (their input rows, labelled), added to the training part only',
} as const;

/** `notify:` targets: `webhook "https://…"`, `command "…"` (stdin: the JSON report), `vscode`. */
export const NOTIFY_TARGETS = {
  webhook: 'POST the event as JSON to this http(s) URL, retried with back-off (Retry-After honoured)',
  command: 'run this shell command in the pipeline\'s folder with the event as JSON on stdin (not in Restricted Mode)',
  vscode: 'a notification in VS Code when the scheduler runs from the editor',
} as const;

export const IMPUTE_METHODS = ['mean', 'median', 'mode', 'constant'] as const;
export const ENCODE_METHODS = ['onehot', 'ordinal'] as const;
export const SCALE_METHODS = ['standard', 'minmax', 'robust'] as const;

/** Export formats of the language (by file extension); the runner writes them all. */
export const EXPORT_FORMATS = ['onnx', 'py', 'pmml'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
