// The JSON the CLI prints (spec §7) and the progress lines a run writes on stderr.
// Plain types only: the CLI produces them, the extension and tests consume them.

export interface RunJson {
  run: string;
  /**
   * `running` while the run's process is alive; `interrupted` when it stopped without recording
   * an end (killed with -9, crashed, power cut), as seen by any later command.
   */
  status: 'succeeded' | 'failed' | 'cancelled' | 'running' | 'interrupted';
  evaluations: Record<string, EvaluationJson>;
  comparisons: Record<string, ComparisonJson>;
  /** Absolute paths of files written (predictions, exports). */
  outputs: string[];
  /** Extra keys (allowed by the spec). */
  file: string;
  started: string;
  finished: string;
  /** Declarations computed in this run and those reused from an earlier run. */
  computed: string[];
  reused: string[];
  /**
   * Definition hash of each declaration the run finished (its text, the hashes of what it reads, a
   * dataset's file bytes): one whose hash differs now is stale. Absent in older records.
   */
  definitions?: Record<string, string>;
  /** The declaration a failed run stopped in, with its definition hash then. */
  failedIn?: { name: string; definition: string };
  /** Datasets read from their files in this run (the others were not needed: what reads them was reused). */
  read?: string[];
  models: Record<string, ModelJson>;
  predictions: Record<string, PredictionJson>;
  monitors: Record<string, MonitorJson>;
  /** What the run itself found: values a cast could not parse, training rows skipped (absent in older records). */
  warnings?: string[];
  error?: string;
  /** The check's diagnostics: its errors when the pipeline did not run, its warnings (NML105 cells read as missing, ...) when it did. */
  diagnostics?: DiagnosticJson[];
  /** Set when the scheduler started this run. */
  schedule?: { job?: string; predict?: string; monitor?: string; attempt: number };
  /** A retraining `with_actuals` recorded as a run of its own: the run and monitor that retrained. */
  retrainOf?: { run: string; monitor: string };
  /** sha256 of the pipeline text that ran (absent in older records). */
  pipelineHash?: string;
  /** Dataset name → the files it read with their sha256, in glob order (absent in older records). */
  inputs?: Record<string, InputFileJson[]>;
}

export interface InputColumnJson {
  name: string;
  type: string;
  nullable: boolean;
}

export interface InputFileJson {
  file: string;
  sha256: string;
}

/** A diagnostic as `narml check --format json` and `narml run --json` print it (lines and characters from 0). */
export interface DiagnosticJson {
  code: string;
  severity: string;
  message: string;
  range: DiagnosticRangeJson;
  /** Other places the problem involves (the rest of a cycle). */
  related?: { message: string; range: DiagnosticRangeJson }[];
}

export interface DiagnosticRangeJson {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface EvaluationJson {
  model: string;
  on?: string;
  metrics: Record<string, number>;
  /** When `threshold: tune(M)` or a fixed threshold was given. */
  threshold?: number;
  confusion?: { labels: string[]; matrix: number[][] };
  /** What the Metrics panel plots; absent in records of runs before plots were added. */
  curves?: CurvesJson;
  /** Per-fold metrics when `cv: K`. */
  cv?: { folds: number; metrics: Record<string, { mean: number; std: number }> };
  rows?: number;
}

/** The most points one plotted curve or scatter keeps (the rest are dropped, the ends and extremes kept). */
export const CURVE_POINTS = 200;
/** Curves per class are drawn for at most this many classes (those with the most scored rows). */
export const CURVE_CLASSES = 10;

/**
 * Plot data of an evaluation, computed exactly on the scored rows, then thinned to CURVE_POINTS.
 * Classification with probabilities: one curve for the positive class of a binary target, one
 * per class (one-vs-rest) otherwise. Regression: residuals against predictions.
 */
export interface CurvesJson {
  roc?: { label: string; auc: number; fpr: number[]; tpr: number[] }[];
  pr?: { label: string; averagePrecision: number; prevalence: number; recall: number[]; precision: number[] }[];
  /** Reliability diagram: 10 equal-width bins of the predicted probability (non-empty bins only). */
  calibration?: { label: string; predicted: number[]; observed: number[]; count: number[] }[];
  /** Actual minus predicted for up to CURVE_POINTS rows of `rows` (the largest residuals always among them). */
  residuals?: { predicted: number[]; residual: number[]; rows: number };
}

export interface ComparisonJson {
  models: string[];
  metric: string;
  test: string;
  p_value: number;
  /** What the p-value is about, e.g. "the rows one model predicts right and the other wrong (accuracy)". */
  p_value_about: string;
  alpha: number;
  /** p_value < alpha (and the scores differ). */
  significant: boolean;
  /** The leader when the difference is significant, else null. */
  winner: string | null;
  /** The better-scoring model whether or not the difference is significant (null on a tie). */
  leader: string | null;
  scores: Record<string, number>;
}

/** What a retraining `with_actuals` learned from besides the training rows. */
export interface WithActualsJson {
  monitor: string;
  /** Labelled predictions added to the training rows (before the model's own row steps). */
  rows: number;
  /** Labelled predictions left out: predicted before `with_actuals` was declared, their input rows were not kept. */
  withoutInputs: number;
  files: string[];
}

export interface ModelJson {
  algorithm: string;
  task: string;
  target: string;
  /** The definition hash (12 hex): equal when the declaration and its inputs are unchanged. */
  version: string;
  /** sha256 of the fitted model and its fitted steps, the registry version's identity (absent for ensembles and in older records). */
  modelHash?: string;
  /** Retrained `with_actuals`: the labelled predictions added to its training rows, and the label files. */
  withActuals?: WithActualsJson;
  /** The raw columns prediction needs (name, type, may be missing), as the checked declaration said when it trained (absent in older records). */
  input?: InputColumnJson[];

  features: string[];
  importances?: Record<string, number>;
  options: Record<string, unknown>;
  trainRows: number;
  /** The datasets its training rows come from (keys of `RunJson.inputs`). */
  datasets?: string[];
  /** What `tune` and `auto` tried, in the order tried; the chosen one is marked. */
  trials?: TrialJson[];
  /** Why the chosen trial won (or why the search stopped early), in words. */
  selection?: string;
  /** gradient_boosting with early_stopping: where the loss was scored (`validation`: the split's part; `holdout`: validation_fraction of the training rows), on how many rows, and the rounds boosted of the most allowed. */
  earlyStopping?: { on: 'holdout' | 'validation'; rows: number; rounds: number; maxRounds: number };
  /** Each search with a time budget (`auto`'s, `tune`'s `budget:`): how much of it was spent, and whether it stopped the search. */
  budgets?: SearchBudgetJson[];
}

/** A search's time budget: `ran` of the `planned` trials ran (the first ones, in order) in `elapsedMs`; `stopped` when the budget left the rest out. */
export interface SearchBudgetJson {
  search: TrialJson['search'];
  budgetMs: number;
  elapsedMs: number;
  ran: number;
  planned: number;
  stopped: boolean;
}

/** One configuration tried by `tune` or `auto`, scored by k-fold cross-validation on the training rows. */
export interface TrialJson {
  /** `auto` picks an algorithm, `tune` options of the chosen one. */
  search: 'auto' | 'tune';
  algorithm: string;
  options: Record<string, unknown>;
  metric: string;
  /** Whether a higher or a lower `metric` is better (rmse, log_loss: lower). */
  better: 'higher' | 'lower';
  /** Mean of the fold scores of `metric` (null when no fold could be scored, e.g. roc_auc on one-class folds). */
  score: number | null;
  /** The metric on each fold, in fold order (null for a fold that could not be scored). */
  folds: (number | null)[];
  /** Wall-clock milliseconds the trial's cross-validation took. */
  ms: number;
  /** `tune: halving`: the round (0 first) and the training rows the trial was cross-validated on (a seeded, stratified sample of them). */
  round?: number;
  rows?: number;
  chosen?: boolean;
}

/** `narml models --json`: every registry version (deleted ones left out), oldest first per model. */
export interface ModelsJson {
  models: ModelVersionJson[];
}

export type StageName = 'staging' | 'production' | 'archived';

/**
 * A registry version of a model: one fitted model + steps, identified by their content hash and
 * numbered v1, v2, … per pipeline and model in the order runs first produced it (never renumbered).
 */
export interface ModelVersionJson {
  model: string;
  file: string;
  /** `v3`. */
  version: string;
  /** sha256 of the fitted model and its fitted steps: a retrain to the same model is the same version. */
  hash: string;
  /** The definition hash (12 hex) the model had in the first run that produced this version (`ModelJson.version`). */
  definition: string;
  /** The first run that produced it, and every run that did (oldest first). */
  run: string;
  runs: string[];
  created: string;
  /** `succeeded` when a run that produced it succeeded; else the status of its latest run (such a version cannot be promoted). */
  status: RunJson['status'];
  stage?: StageName;
  algorithm: string;
  task: string;
  target: string;
  options: Record<string, unknown>;
  features: string[];
  /** The raw columns prediction needs (absent for versions recorded before they were kept). */
  input?: InputColumnJson[];
  trainRows: number;
  /** Evaluated table → metric → value, from the latest run that evaluated this version there. */
  metrics: Record<string, Record<string, number>>;
  /** Retrained `with_actuals`: the labelled predictions it learned from besides the training rows. */
  withActuals?: WithActualsJson;
  /** sha256 of the pipeline text of the first run that produced it. */
  pipelineHash?: string;
  /** The files its datasets read in that run, with their sha256. */
  inputs: Record<string, InputFileJson[]>;
  /** The artifact holding the fitted model and steps (of its latest run). */
  artifact: string;
}

/** `narml diff MODEL V1 V2 --json`: what differs between two versions (each side absent when equal). */
export interface ModelDiffJson {
  model: string;
  file: string;
  a: ModelVersionJson;
  b: ModelVersionJson;
  /** Option → [value in a, value in b], for options that differ. */
  options: Record<string, [unknown, unknown]>;
  /** Table → metric → [a, b, b − a] for metrics either version has. */
  metrics: Record<string, Record<string, [number | null, number | null, number | null]>>;
  /** Dataset → files whose sha256 differ, appear or disappear ([a, b], null where absent). */
  inputs: Record<string, { file: string; a: string | null; b: string | null }[]>;
  features: { added: string[]; removed: string[] };
  pipelineHash: [string | null, string | null];
  algorithm: [string, string];
  trainRows: [number, number];
}

/** `narml promote|rollback|models delete … --json`: what changed. */
export interface RegistryChangeJson {
  model: string;
  file: string;
  /** The version the action is about (for rollback: the one back in production). */
  version: string;
  stage: StageName | null;
  /** The version that left the stage (archived), if any. */
  from: string | null;
  /** False when the version already was there: nothing was written. */
  changed: boolean;
}

/** `narml audit --json`. */
export interface AuditJson {
  events: AuditEventJson[];
  /** Lines of the log that could not be read (a write torn by a crash). */
  damaged: number;
}

/** One line of `.narml/audit.jsonl`. */
export interface AuditEventJson {
  /** ISO time the event was appended. */
  time: string;
  action: 'run' | 'promote' | 'rollback' | 'export' | 'delete' | 'serve' | 'retrain';
  /** `ok`, or why not: `failed`, `cancelled`, `refused`, ... (a run: its status). */
  outcome: string;
  /** The OS user name, when the OS tells it. */
  user?: string;
  /** `Name <email>` from git config in the pipeline's folder, when git and a config are there. */
  gitAuthor?: string;
  /** Absolute path of the pipeline the action is about. */
  file?: string;
  /** sha256 of the pipeline text (a run's `pipelineHash`). */
  pipelineHash?: string;
  run?: string;
  model?: string;
  /** A registry version, `v3`. */
  version?: string;
  stage?: string;
  /** The version a stage moved away from (promotion into an occupied stage, rollback). */
  from?: string;
  /** What the action wrote or read (an export path, a model file). */
  target?: string;
  /** The error or reason, in words (cut to a few hundred characters). */
  detail?: string;
}

/** `narml experiments FILE --json`: one row per run × model, oldest run first. */
export interface ExperimentsJson {
  file: string;
  rows: ExperimentRow[];
  /** Whether a higher or a lower value is better, for every metric the rows and trials name. */
  metricDirections: Record<string, 'higher' | 'lower'>;
}

export interface ExperimentRow {
  run: string;
  status: RunJson['status'];
  started: string;
  finished: string;
  /** Milliseconds from start to finish (null while running). */
  durationMs: number | null;
  /** The model (null for a run that trained no model, e.g. one that failed first). */
  model: string | null;
  algorithm?: string;
  /** The model version (hash of its definition and inputs): equal versions are the same model. */
  version?: string;
  task?: string;
  target?: string;
  trainRows?: number;
  /** Resolved options the model trained with (after tuning or AutoML). */
  params: Record<string, unknown>;
  /** Whether this run reused the model trained by an earlier run. */
  reused: boolean;
  /** Evaluations of this model in this run, by evaluation name. */
  evaluations: Record<string, ExperimentEvaluation>;
  /** Dataset name → its files and hashes, for the datasets the model reads. */
  inputs: Record<string, InputFileJson[]>;
  pipelineHash?: string;
  trials?: TrialJson[];
  selection?: string;
  error?: string;
}

export interface ExperimentEvaluation {
  on?: string;
  rows?: number;
  metrics: Record<string, number>;
  threshold?: number;
  confusion?: { labels: string[]; matrix: number[][] };
}

export interface PredictionJson {
  output: string;
  rows: number;
  emptyPredictions: number;
  /** Set when the source glob matched no file yet: nothing was written (NML204). */
  waiting?: string;
  /** `with churn@production`: the registry version that predicted (resolved when the run started). */
  registry?: RegistryUse;
  /** sha256 of the output file as written. */
  sha256?: string;
  /**
   * Artifact of the keyed predictions (key, time, prediction, probabilities per row) kept for a
   * monitor's `actuals:` to join labels to, whatever later happens to the output file.
   */
  stored?: string;
}

/** The registry version a predict or monitor used instead of the model of its run. */
export interface RegistryUse {
  model: string;
  /** As written after `@`: a stage or vN. */
  ref: string;
  /** The version it named then, `v3`. */
  version: string;
  /** The run that first produced that version. */
  run: string;
}

export interface MonitorJson {
  /** `for churn@production`: the registry version monitored. */
  registry?: RegistryUse;
  /** Columns that drifted by any of the methods. */
  drifted: string[];
  /** The first method's value per column (`methods` holds every method's). */
  scores: Record<string, number>;
  /** The first method's drift of the model's predictions (absent when the current data cannot be scored by it); any method's counts as drift for `alert: drift` and `retrain: on_drift`. */
  prediction?: { score: number; drifted: boolean };
  /** Each drift method of `drift:`, in the order given. */
  methods: Record<string, MonitorMethodJson>;
  /** Ground truth joined to the stored predictions (`actuals:`). */
  actuals?: MonitorActualsJson;
  /** The `alert:` condition's verdict; the scheduler, notifications and retraining act on `raised`. */
  alert: MonitorAlertJson;
  /** The `retrain:` condition held (or its schedule fired): a challenger was trained and judged, see `retrain`. */
  retrained: boolean;
  /** The retraining decision, when `retrained`. */
  retrain?: RetrainJson;
  /** One outcome per `notify:` target, when the monitor had something to tell. */
  notified?: NotifyOutcomeJson[];
}

/** A retraining: the model trained on the current data (challenger) against the production version (champion). */
export interface RetrainJson {
  model: string;
  trigger: 'on_drift' | 'on_alert' | 'schedule';
  /** `promoted`: the challenger is now production; `kept`: production is unchanged (see `reason`). */
  decision: 'promoted' | 'kept';
  reason: string;
  /** `hash`: the registry's identity of the retrained model (its content hash). */
  challenger: { version: string; score?: number; hash?: string };
  /** Retrained `with_actuals`: what it learned from besides the training rows. */
  withActuals?: WithActualsJson;
  champion?: { version: string; score?: number };
  /** The table both were scored on. */
  holdout: string;
  /** The comparison, absent when there was no champion to compare with, or it is the same version. */
  comparison?: ComparisonJson;
}

/** One line of `narml scheduler list --json`'s `jobs`. */
export interface ScheduleStatusJson {
  /** `predict:NAME`, `monitor:NAME` or `retrain:NAME` (NAME of the monitor). */
  job: string;
  kind: 'predict' | 'monitor' | 'retrain';
  name: string;
  file: string;
  schedule: string;
  paused: boolean;
  pausedSince?: string;
  /** Absent while paused. */
  nextFire?: string;
  lastFire?: string;
  lastOutcome?: 'succeeded' | 'failed' | 'waiting';
  lastError?: string;
}

/** The body of a notification (webhook POST, a command's stdin, a `notify` progress event). */
export interface NotifyEventJson {
  pipeline: string;
  monitor?: string;
  predict?: string;
  event: 'alert' | 'drift' | 'failure' | 'retrain';
  /** One sentence for people: what happened and what to look at. */
  message: string;
  /** The monitor's report, or the failed attempt. */
  report: unknown;
  time: string;
}

export interface NotifyOutcomeJson {
  /** The event this delivered (a monitor may send a drift and a retraining). */
  event?: NotifyEventJson['event'];
  /** `webhook URL`, `command …` or `vscode`. */
  target: string;
  ok: boolean;
  attempts?: number;
  /** A webhook's last HTTP status. */
  status?: number;
  exitCode?: number;
  error?: string;
}

export interface MonitorAlertJson {
  /** The condition holds. False when there is no condition or it could not be judged. */
  raised: boolean;
  /** False when there is no `alert:` or too few labelled rows to judge it (`reason` says which). */
  judged: boolean;
  /** One sentence: the condition, held or not, and the values it was judged on, or why it was not judged. */
  reason: string;
  /** The `alert:` condition as written (`f1 < 0.7`); absent without one. */
  condition?: string;
  /** The window of joined ground truth it was judged on (`actuals:`); null when judged on the run's evaluation metrics. */
  window: MonitorWindowJson | null;
}

export interface MonitorMethodJson {
  threshold: number;
  scores: Record<string, number>;
  drifted: string[];
  prediction?: { score: number; drifted: boolean };
}

/** How the labels met the stored predictions, and the metrics per window (oldest first). */
export interface MonitorActualsJson {
  /** Label files read, in order (a later label of the same key wins). */
  files: string[];
  /** Label rows with a key and a label. */
  labels: number;
  /** Distinct keys predicted over the stored predict runs (a later prediction of the same key wins). */
  predictions: number;
  /** Predictions that got a label. */
  joined: number;
  /** Labels whose key no stored prediction has. */
  unmatchedLabels: number;
  /** Predictions no label has arrived for yet. */
  unlabelled: number;
  /** Label rows replaced by a later label of the same key; predictions replaced by a later prediction. */
  duplicateLabels: number;
  duplicatePredictions: number;
  /** Predict runs whose stored predictions were read. */
  predictRuns: number;
  /** Window length as written (`7d`) and in milliseconds; the least labelled rows of a judged window. */
  window: string;
  windowMs: number;
  minRows: number;
  windows: MonitorWindowMetricsJson[];
  /**
   * When predictions of other registry versions than the watched one are joined (before a
   * promotion or rollback): the windows of the watched version's own predictions, which the alert
   * is judged on, and how many predictions of other versions were left out of them.
   */
  judged?: { version: string; otherPredictions: number; windows: MonitorWindowMetricsJson[] };
  /** Joined labels of classes the model was never trained on, per class (counted as wrong predictions). */
  unseenClasses?: { model: string; classes: { class: string; rows: number }[] };
}

export interface MonitorWindowMetricsJson extends MonitorWindowJson {
  /** Predictions made in the window, labelled or not. */
  predictions: number;
  /** The task's metrics over the labelled rows (a metric the rows leave undefined is left out). */
  metrics: Record<string, number>;
}

/** `narml monitor-report FILE NAME --json`: one monitor's reports over the stored runs, for trends. */
export interface MonitorTrendsJson {
  file: string;
  monitor: string;
  /** Every run that computed the monitor, oldest first. */
  runs: MonitorTrendRun[];
  /** The newest run's windows (they cover the whole stored history), oldest first; empty without actuals. */
  windows: MonitorWindowMetricsJson[];
  /** The newest run's alert. */
  alert: MonitorAlertJson | null;
}

export interface MonitorTrendRun {
  run: string;
  started: string;
  status: RunJson['status'];
  methods: Record<string, MonitorMethodJson>;
  drifted: string[];
  alert: MonitorAlertJson;
  /** The join's counts (the windows are in the newest report). */
  actuals?: Omit<MonitorActualsJson, 'windows'>;
}

/** A time window of predictions joined to their actual labels. */
export interface MonitorWindowJson {
  /** ISO times: the window holds predictions made at start <= time < end. */
  start: string;
  end: string;
  /** Predictions in the window that have a label. */
  rows: number;
}

/** One line of `--progress json` on stderr. */
export type ProgressEvent =
  | { type: 'stage'; stage: string; declaration: string; fraction: number }
  | { type: 'log'; level: 'info' | 'warning' | 'error'; message: string }
  | { type: 'done'; status: RunJson['status']; run: string }
  /** For `notify: vscode`: the editor shows it. */
  | { type: 'notify'; event: NotifyEventJson };

export interface PreviewJson {
  name: string;
  rowCount: number;
  columns: PreviewColumn[];
  /** Row-major cell text (missing = null). */
  rows: (string | number | boolean | null)[][];
}

/**
 * `narml preview FILE NAME --serve` prints the PreviewJson, then answers each request line on
 * stdin with one PreviewPageJson line on stdout, until stdin ends.
 */
export interface PreviewPageRequest {
  id: number;
  start: number;
  count: number;
  /** Sorted by a column (index into `columns`); missing cells last in both directions. */
  sort?: PreviewSort;
}

export interface PreviewSort {
  column: number;
  descending: boolean;
}

export interface PreviewPageJson {
  id?: number;
  start: number;
  rows: PreviewJson['rows'];
  /** The row number (from 0, in the table's order) of each row. */
  index: number[];
  /** Why the request was not answered (a bad request). */
  error?: string;
}

/** The most rows one page request returns. */
export const PREVIEW_PAGE_MAX = 1000;

export interface PreviewColumn {
  name: string;
  type: string;
  nullable: boolean;
  missing: number;
  min?: number;
  max?: number;
  mean?: number;
  /** Histogram of a number column: bin edges (bins + 1) and counts. */
  histogram?: { edges: number[]; counts: number[] };
  /** Most frequent levels of a category/text/boolean column. */
  top?: { value: string; count: number }[];
}

/**
 * CLI flags the extension passes: the workspace folder outputs must stay in, and the explicit
 * override that lets them leave it (never passed in Restricted Mode).
 */
export const WORKSPACE_FLAGS = { workspace: 'workspace', allowOutside: 'allow-outside-workspace' } as const;

/** `--engine NAME` of check, run, preview and predict: the engine instead of the pipeline's `engine:` statement. */
export const ENGINE_FLAG = 'engine';

/**
 * `--default-engine NAME` of the same commands: the engine of a pipeline without an `engine:`
 * statement (the statement wins). The editor passes the narml.engine setting as this, and its
 * language server checks with the same rule. ClickHouse is not one: it needs the statement's URL.
 */
export const DEFAULT_ENGINE_FLAG = 'default-engine';
export const DEFAULT_ENGINES = ['memory', 'duckdb'] as const;
export type DefaultEngineName = (typeof DEFAULT_ENGINES)[number];

/** The port `narml serve` and a scoring bundle's server listen on unless told (`--port`). */
export const DEFAULT_SERVE_PORT = 8080;

/** `GET /models` of `narml serve` and of a scoring bundle's server. */
export interface ServedModelsJson {
  models: ServedModelJson[];
}

export interface ServedModelJson {
  name: string;
  /** The registry's version (`v3`); for a bundle of a model with no registry version, its definition hash. */
  version: string;
  /** The model's definition hash (its `version` in the run JSON). */
  definition?: string;
  stage?: string;
  created?: string;
  task: string;
  target: string;
  classes?: string[];
  /** The raw input columns a request row gives (levels: categories seen in training). */
  input: { name: string; type: string; nullable: boolean; levels?: string[] }[];
  /** A row the model accepts: the training rows' medians and most frequent levels (zeros and first levels for a model trained before NarML kept them). */
  example: Record<string, unknown>;
  /** Where it answers: `/predict/NAME`, `/predict/NAME@v3`, `/predict/NAME@production`. */
  paths: string[];
}
