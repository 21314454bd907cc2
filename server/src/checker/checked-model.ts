// The checked model of one .narml file: what the checker concludes, kept apart from the AST
// (nothing is written onto syntax nodes). The language server answers every editor request
// from it, and the runner executes it; neither re-derives names, schemas or options.
import type { EngineSpec } from './engine-check';
import type { DefaultEngineName } from '../contracts/cli-json';
import type { DeclarationKind, Document, Expr, Range, Step } from '../language/ast';
import type { ColumnSchema, TableSchema, Task } from '../language/schema';
import type { CsvOptions } from '../data/csv-options';
import type { CompareTest, ExportFormat } from '../ml/catalog';
import type { Diagnostic } from './diagnostic';
import type { Workspace } from '../workspace/output-paths';

export type OptionValues = Record<string, number | string | boolean | string[] | Readonly<Record<string, number>>>;

/** A name in the file's scope. Evaluate/compare without `as` get their derived name. */
export interface SymbolInfo {
  name: string;
  kind: DeclarationKind;
  /** Index into document.declarations. */
  declarationIndex: number;
  /** The identifier that declares it (or the whole header for a derived name). */
  nameRange: Range;
  /** Names of the declarations it reads from (its lineage parents). */
  dependsOn: string[];
}

/** A use of a declared name: table refs, model refs, `parts.train` (points at `parts`). */
export interface NameReference {
  name: string;
  range: Range;
}

/**
 * A use or definition of a column. Columns are scoped by the dataset they come from
 * (`origin`, the root dataset name) so that rename changes only one lineage's column.
 */
export interface ColumnReference {
  column: string;
  origin: string;
  range: Range;
  /** True where the column gets its name (dataset columns block, rename target, derive target). */
  isDefinition: boolean;
}

export interface DatasetInfo {
  kind: 'dataset';
  name: string;
  /** Absolute path or glob. */
  path: string;
  options: CsvOptions;
  schema?: TableSchema;
  /** False when the schema came from a sample of the file. */
  schemaComplete: boolean;
  /** `from table "db.events"`: a table of the pipeline's ClickHouse engine (`path` then names it for messages only). */
  table?: { url: string; name: string; cluster?: string; columnTypes?: string[] };
}

export interface TransformInfo {
  kind: 'transform';
  name: string;
  input: string;
  inputSchema?: TableSchema;
  /** Schema after each step (same index as the steps), when known. */
  stepSchemas: (TableSchema | undefined)[];
  schema?: TableSchema;
  steps: Step[];
}

export interface SplitPart {
  /** `train`, `test`, `validation`. */
  part: string;
  fraction: number;
}

export interface SplitInfo {
  kind: 'split';
  name: string;
  input: string;
  parts: SplitPart[];
  stratify?: string;
  /** `key: id`: a row's part is a function of its key's value and the seed (engine/keyed-split.ts). */
  key?: string;
  seed: number;
  schema?: TableSchema;
}

export interface MethodCall {
  name: string;
  options: OptionValues;
}

export interface ModelInfo {
  kind: 'model';
  name: string;
  /** The table it is trained on, e.g. `parts.train`. */
  input: string;
  task?: Task;
  target?: string;
  targetSchema?: ColumnSchema;
  /** Class names in the order of probability columns (sorted levels; ["false","true"] for booleans). */
  classes?: string[];
  /** Absent for ensembles. Options have every default filled in. */
  algorithm?: MethodCall;
  /** Feature columns after the transforms (their schemas at the model's input), as the checker sees them. */
  features: ColumnSchema[];
  /**
   * How the features were chosen: listed (`features: [...]`) or every column but the target and
   * `exclude`. The runner takes the actual feature columns from the fitted steps' output, whose
   * one-hot levels are those of the training rows, not the checker's.
   */
  featureChoice: { listed: true } | { listed: false; exclude: string[] };
  /**
   * The raw columns prediction needs: columns of the root dataset that the features come from,
   * with their types before any transform. This is the model's input schema (spec §4).
   */
  inputColumns: ColumnSchema[];
  /** Root dataset name the model's data comes from. */
  origin?: string;
  resample?: MethodCall;
  select?: MethodCall;
  tune?: { method: MethodCall; space: Record<string, (number | string | boolean)[]>; cv: number };
  /**
   * `final` (the final model's algorithm, default by task), `cv` (stacking's folds), `holdout`
   * (blending's share) and `passthrough` are set for the methods that take them. `finalAlphas`: a
   * regression's default final model, linear_regression with its alpha chosen among these by
   * leave-one-out error (scikit-learn's RidgeCV).
   */
  ensemble?: { method: 'voting' | 'stacking' | 'blending'; members: string[]; soft: boolean; final?: string; finalAlphas?: readonly number[]; cv?: number; holdout?: number; passthrough?: boolean };
  /** `calibrate: sigmoid | isotonic(cv: K)`, options filled in. */
  calibrate?: MethodCall;
  /** `class_weight: balanced` or `class_weight: { A: 2, B: 1 }` (class → weight). */
  classWeight?: 'balanced' | Readonly<Record<string, number>>;
}

export interface EvaluateInfo {
  kind: 'evaluate';
  name: string;
  model: string;
  on: string;
  metrics: string[];
  /** `threshold: tune(f1)` → { tune: 'f1' }; `threshold: 0.3` → { value: 0.3 }. */
  threshold?: { tune: string } | { value: number };
  cv?: number;
  positive?: string;
}

export interface CompareInfo {
  kind: 'compare';
  name: string;
  models: string[];
  on: string;
  metric: string;
  test: CompareTest;
  /** A winner is named only when the p-value is below this (default 0.05). */
  alpha: number;
}

/** Where `notify:` sends an event: a POST of JSON, a shell command fed the JSON, the editor. */
export type NotifyTarget = { kind: 'webhook'; url: string } | { kind: 'command'; command: string } | { kind: 'vscode' };

export interface PredictInfo {
  kind: 'predict';
  name: string;
  model: string;
  /** `with churn@production`: the registry version (a stage or vN) to predict with instead of the model this run trains. */
  version?: string;
  source: { kind: 'file'; path: string } | { kind: 'table'; name: string };
  /** Absolute path template; `{date}` is replaced by the run's date. */
  output?: string;
  /** `output: table "db.scores"`: the predictions are written by the ClickHouse engine as this table, scored in SQL. */
  outputTable?: string;
  schedule?: string;
  retries: number;
  /** Told when a scheduled run failed after its retries. */
  notify: NotifyTarget[];
}

export interface MonitorInfo {
  kind: 'monitor';
  name: string;
  model: string;
  /** `for churn@production`: the registry version (a stage or vN) to monitor instead of the model this run trains. */
  version?: string;
  baseline?: string;
  current?: string;
  /** Each drift method with its options resolved (threshold); psi at its default when `drift:` is absent. */
  drift: MethodCall[];
  /** Ground truth joined to the stored predictions of `current` (a predict). */
  actuals?: ActualsInfo;
  /** `alert: f1 < 0.7` kept as an expression over metric names. */
  alert?: Expr;
  /** `schedule`: retrained at `retrainSchedule` by `narml scheduler`, whatever the drift. */
  retrain: 'on_drift' | 'on_alert' | 'schedule' | 'never';
  retrainSchedule?: string;
  /** `with_actuals: true`: the retrained model also learns from the labelled predictions of `actuals:`. */
  retrainWithActuals?: true;
  /** `schedule:` of the monitor itself, fired by `narml scheduler`. */
  schedule?: string;
  /** Told of an alert, drift, a retraining decision and a failed scheduled run. */
  notify: NotifyTarget[];
}

/** `actuals: "labels/*.csv" on id` with `time:`, `window:` and `min_rows:`. */
export interface ActualsInfo {
  /** Absolute path or glob of the label files. */
  path: string;
  /** Column of the labels and of the predictions' input that joins them. */
  key: string;
  /** Date column of the predictions' input that times each prediction; absent: the time its predict ran. */
  time?: string;
  /** Window length in milliseconds. */
  window: number;
  /** A window with fewer labelled rows is not judged by `alert:`. */
  minRows: number;
}

export interface ExportInfo {
  kind: 'export';
  name: string;
  model: string;
  /** The file, or for a scoring bundle (`to "dir/"`) the folder. */
  path: string;
  format: ExportFormat | 'bundle';
}

export type DeclarationInfo =
  | DatasetInfo
  | TransformInfo
  | SplitInfo
  | ModelInfo
  | EvaluateInfo
  | CompareInfo
  | PredictInfo
  | MonitorInfo
  | ExportInfo;

export interface CheckedPipeline {
  /** Absolute path of the .narml file (paths in it are relative to its folder). */
  file: string;
  /** Where the pipeline's outputs may be written; the runner enforces it again at write time. */
  workspace: Workspace;
  text: string;
  document: Document;
  /** Sorted by position. */
  diagnostics: Diagnostic[];
  symbols: Map<string, SymbolInfo>;
  /** Per declaration (same index as document.declarations); undefined where it could not be resolved. */
  infos: (DeclarationInfo | undefined)[];
  /** Schema of every table name in scope, including split parts (`parts.train`). */
  tables: Map<string, TableSchema>;
  /** Declaration names in an order where every declaration follows what it reads. Cycles are left out. */
  order: string[];
  references: NameReference[];
  columnReferences: ColumnReference[];
  /** Where the datasets live and the steps run (`engine:`; `defaultEngine` or memory without it). */
  engine: EngineSpec;
  /** The engine this file was checked for had it no statement (`--default-engine`); the scheduler's re-checks keep it. */
  defaultEngine?: DefaultEngineName;
}

export function infoOf<K extends DeclarationInfo['kind']>(p: CheckedPipeline, name: string, kind: K): Extract<DeclarationInfo, { kind: K }> | undefined {
  const s = p.symbols.get(name);
  const info = s ? p.infos[s.declarationIndex] : undefined;
  return info && info.kind === kind ? (info as Extract<DeclarationInfo, { kind: K }>) : undefined;
}

export function hasErrors(p: CheckedPipeline): boolean {
  return p.diagnostics.some((d) => d.severity === 'error');
}
