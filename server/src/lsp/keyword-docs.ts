// One-line documentation of declaration kinds and transform steps (spec §3), for hover and
// completion. Typed by the keyword lists so a new keyword cannot be left undocumented.
import type { DeclarationKind } from '../language/ast';
import type { STEP_KEYWORDS } from '../language/parser';

export const DECLARATION_DOCS: Readonly<Record<DeclarationKind, string>> = {
  dataset: '`dataset N from "path.csv" { ... }`: a table read from a CSV file (a glob `*.csv` reads and concatenates matching files). Body: `columns { name: TYPE }`, `missing: [...]`, `delimiter`, `header`, `encoding`, `decimal`, `thousands`.',
  transform: '`transform N from T { steps }`: a table derived from table T; each step sees the schema the previous one produced.',
  split: '`split N from T { train: P, test: P, validation: P?, stratify: C?, seed: K?, key: C? }`: tables `N.train`, `N.test` (and `N.validation`); with `key`, the part of a row is a function of the value of its key column and the seed, the same in every engine and every run.',
  model: '`model N from T { target: C, algorithm: A, ... }`: a trained model; the task follows from the target type.',
  evaluate: '`evaluate M on T [as N] { metrics: [...], threshold: ..., cv: K?, positive: V? }`: a metrics report (default name `M_on_T`).',
  compare: '`compare M1, M2 on T [as N] { metric: X, test: mcnemar | bootstrap | paired_t, alpha: 0.05 }`: an A/B comparison with a p-value, and a winner only when p < alpha (default 0.05; else the leader).',
  predict: '`predict N with M from SOURCE { output: "path", schedule: "cron"?, retries: K?, notify: ...? }`: a table of predictions; SOURCE is a path or a table name; `notify:` is told when a scheduled run fails.',
  monitor: '`monitor N for M { baseline: T, current: P, drift: [psi(threshold: 0.2), ks(threshold: 0.1)], actuals: "labels/*.csv" on id, time: C?, window: 1d, min_rows: 30, alert: f1 < 0.7, retrain: on_drift | on_alert | schedule "cron" | never (optionally `on_alert(with_actuals: true)`: also learn from the labelled predictions), schedule: "cron"?, notify: ...? }`: drift per method and column, metrics per time window over labels joined to stored predictions, alerts, retraining judged against production; `notify:` takes `webhook "https://…"`, `command "…"`, `vscode` or a list.',
  engine: '`engine: memory` (the default: datasets read into memory), `engine: duckdb` (embedded DuckDB: datasets loaded and steps run as SQL, the same rows and parameters as memory) or `engine: clickhouse("http://host:8123", cluster: "two_shards")`: datasets `from table "db.name"` are tables of that ClickHouse cluster, typed from its `system.columns`; credentials come from NARML_CLICKHOUSE_USER / NARML_CLICKHOUSE_PASSWORD, never from the file.',
  export: '`export M to "path.onnx" | "path.py" | "path.pmml"`: writes the model; the format follows the extension. `export M to "dir/"`: a scoring bundle (model.json, server.js, Dockerfile, README) that serves the model with Node alone.',
};

export const STEP_DOCS: Readonly<Record<(typeof STEP_KEYWORDS)[number], string>> = {
  drop: '`drop C, ...`: remove columns.',
  keep: '`keep C, ...`: keep only these columns.',
  rename: '`rename A to B`: rename a column.',
  cast: '`cast C as TYPE`: convert a column\'s type.',
  impute: '`impute C, ... with mean | median | mode | constant(V)`: fill missing values (learned from training rows only).',
  drop_missing: '`drop_missing` / `drop_missing C, ...`: drop rows with a missing value (in any / the listed columns); those columns are no longer nullable.',
  encode: '`encode C, ... as onehot | ordinal`: categories to numbers; `onehot` makes one 0/1 column `C_level` per level, `ordinal` the level\'s 0-based index.',
  scale: '`scale C, ... with standard | minmax | robust`: rescale numbers (learned from training rows only).',
  clip: '`clip C, ... to [LO, HI]`: bound numbers.',
  derive: '`derive N = EXPR`: add a column computed from an expression.',
  filter: '`filter EXPR`: keep rows where a boolean expression holds (shapes training data only).',
  dedupe: '`dedupe` / `dedupe C, ...`: drop duplicate rows (by all / the listed columns).',
};

/** Model properties whose values are no catalog method (those hover through the catalog). */
export const PROPERTY_DOCS: Readonly<Record<string, string>> = {
  class_weight: '`class_weight: balanced | { A: 2, B: 1 }` (classification; logistic_regression, decision_tree, random_forest, gradient_boosting): weighs each class in the loss, impurity or gradients; `balanced` gives class c the weight rows / (classes × rows of c), as scikit-learn; a map\'s unnamed classes weigh 1.',
};

export function keywordDoc(word: string): string | undefined {
  return (DECLARATION_DOCS as Record<string, string>)[word] ?? (STEP_DOCS as Record<string, string>)[word] ?? PROPERTY_DOCS[word];
}
