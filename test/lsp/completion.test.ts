// Completion at many places of real pipelines (penguins and iris from test/fixtures/data, and
// a CSV with hostile headers), half-typed lines included: each place offers what is valid
// there and not the rest (no declaration snippets in expressions, no columns after `from`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionItem } from 'vscode-languageserver/node';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { complete } from '../../server/src/lsp/completion';
import { hover } from '../../server/src/lsp/features';
import { CARS_MODEL, FILE, IRIS, PENGUINS } from '../helpers/fixture-pipelines';

const cache = new CsvSchemaCache();
const CURSOR = '‸';

const IRIS_MODEL = `${IRIS}
split parts from iris { train: 80%, test: 20%, stratify: species, seed: 1 }
model m from parts.train {
  target: species
  algorithm: random_forest(trees: 50)
}`;

/** Completion items at the ‸ of `source`, checked with the real schema cache. */
function itemsAt(source: string, file = FILE): CompletionItem[] {
  const offset = source.indexOf(CURSOR);
  assert.ok(offset >= 0, 'case has a ‸');
  const text = source.replace(CURSOR, '');
  return complete(checkPipeline(text, file, cache), offset);
}

function labels(source: string, file = FILE): string[] {
  return itemsAt(source, file).map((i) => i.label);
}

function includes(got: string[], want: string[], where: string): void {
  for (const w of want) assert.ok(got.includes(w), `${where}: expected "${w}" among ${JSON.stringify(got.slice(0, 40))}`);
}

function excludes(got: string[], unwanted: string[], where: string): void {
  for (const w of unwanted) assert.ok(!got.includes(w), `${where}: "${w}" must not be offered (got ${JSON.stringify(got.slice(0, 40))})`);
}

const IRIS_COLUMNS = ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm', 'species'];
const DECLARATIONS = ['dataset', 'transform', 'model', 'evaluate'];

test('derive x = offers the columns of that step and every function with its signature, not declarations', () => {
  const items = itemsAt(`${IRIS}\ntransform t from iris {\n  drop sepal_width_cm\n  derive ratio = ${CURSOR}\n}`);
  const got = items.map((i) => i.label);
  includes(got, ['sepal_length_cm', 'petal_width_cm', 'log', 'round', 'if', 'days_between', 'not'], 'derive x = ');
  excludes(got, ['sepal_width_cm', ...DECLARATIONS, 'drop', 'and'], 'derive x = ');
  const round = items.find((i) => i.label === 'round');
  assert.equal(round?.labelDetails?.detail, '(number, number?)');
  assert.equal(round?.insertText, 'round($0)');
});

test('every expression position offers functions: after an operator, inside a call, after not, in a filter', () => {
  const base = `${IRIS}\ntransform t from iris {\n  derive a = petal_length_cm * 2\n  `;
  for (const line of [`derive r = petal_length_cm / ${CURSOR}`, `filter ${CURSOR}`, `filter not ${CURSOR}`, `derive s = round(${CURSOR}`, `derive s = max(petal_length_cm, ${CURSOR})`, `filter (${CURSOR}`, `derive u = lo${CURSOR}`]) {
    const got = labels(`${base}${line}\n}`);
    includes(got, ['log', 'sqrt', 'petal_length_cm', 'a'], line);
    excludes(got, [...DECLARATIONS, 'drop', 'impute'], line);
  }
});

test('after a complete operand only the word operators fit', () => {
  const got = labels(`${IRIS}\ntransform t from iris {\n  filter petal_length_cm > 2 ${CURSOR}\n}`);
  assert.deepEqual(got.sort(), ['and', 'or']);
});

test('a half-typed header offers the link word, then the tables or the models in scope', () => {
  const src = `${IRIS_MODEL}\n`;
  includes(labels(`${src}model m2 ${CURSOR}`), ['from'], 'model m2 ');
  const tables = labels(`${src}model m2 from ${CURSOR}`);
  includes(tables, ['iris', 'parts.train', 'parts.test'], 'model m2 from');
  excludes(tables, ['m', 'species', ...DECLARATIONS], 'model m2 from');
  includes(labels(`${src}evaluate ${CURSOR}`), ['m'], 'evaluate');
  excludes(labels(`${src}evaluate ${CURSOR}`), ['iris', 'parts.train'], 'evaluate');
  assert.deepEqual(labels(`${src}evaluate m ${CURSOR}`), ['on']);
  includes(labels(`${src}evaluate m on parts.${CURSOR}`), ['parts.test'], 'on parts.');
  assert.deepEqual(labels(`${src}evaluate m on parts.test ${CURSOR}`), ['as']);
  includes(labels(`${src}compare m, ${CURSOR}`), ['m'], 'compare m,');
  assert.deepEqual(labels(`${src}predict p ${CURSOR}`), ['with']);
  includes(labels(`${src}predict p with ${CURSOR}`), ['m'], 'predict with');
  assert.deepEqual(labels(`${src}predict p with m ${CURSOR}`), ['from']);
  includes(labels(`${src}monitor w for ${CURSOR}`), ['m'], 'monitor for');
  assert.deepEqual(labels(`${src}export m ${CURSOR}`), ['to']);
  // A new name is free text: nothing to offer.
  assert.deepEqual(labels(`${src}model ${CURSOR}`), []);
});

test('a qualified table name replaces the whole typed name', () => {
  const items = itemsAt(`${IRIS_MODEL}\nevaluate m on parts.te${CURSOR}`);
  const test = items.find((i) => i.label === 'parts.test');
  assert.ok(test?.textEdit && 'range' in test.textEdit, JSON.stringify(test));
  assert.equal(test.textEdit.newText, 'parts.test');
  assert.deepEqual(test.textEdit.range.start, { line: 6, character: 14 });
  assert.deepEqual(test.textEdit.range.end, { line: 6, character: 22 });
});

test('declarations are offered at the start of a line outside bodies only', () => {
  includes(labels(`${IRIS}\n${CURSOR}`), DECLARATIONS, 'new line');
  includes(labels(`${IRIS}\nmod${CURSOR}`), DECLARATIONS, 'half-typed keyword');
  includes(labels(`${CURSOR}`), DECLARATIONS, 'empty file');
  excludes(labels(`${IRIS}\ntransform t from iris {\n  ${CURSOR}\n}`), DECLARATIONS, 'transform body');
  excludes(labels(`${IRIS_MODEL.replace('  target: species', `  target: species\n  ${CURSOR}`)}`), DECLARATIONS, 'model body');
});

test('a transform body offers steps at a line start and the columns in scope after a step keyword', () => {
  const src = (line: string): string => `${IRIS}\ntransform t from iris {\n  rename sepal_length_cm to sl\n  ${line}\n}`;
  includes(labels(src(CURSOR)), ['drop', 'impute', 'derive', 'filter'], 'line start');
  excludes(labels(src(CURSOR)), ['sl', ...DECLARATIONS], 'line start');
  const cols = labels(src(`drop ${CURSOR}`));
  includes(cols, ['sl', 'species'], 'drop');
  excludes(cols, ['sepal_length_cm', 'drop', 'log'], 'drop');
  includes(labels(src(`drop sl, ${CURSOR}`)), ['species'], 'drop a,');
  assert.deepEqual(labels(src(`cast species ${CURSOR}`)), ['as']);
  includes(labels(src(`cast species as ${CURSOR}`)), ['category', 'number', 'text'], 'cast as');
  assert.deepEqual(labels(src(`impute sl ${CURSOR}`)), ['with']);
  assert.deepEqual(labels(src(`impute sl with ${CURSOR}`)).sort(), ['constant', 'mean', 'median', 'mode']);
  assert.deepEqual(labels(src(`encode species as ${CURSOR}`)).sort(), ['onehot', 'ordinal']);
  assert.deepEqual(labels(src(`scale sl with ${CURSOR}`)).sort(), ['minmax', 'robust', 'standard']);
  assert.deepEqual(labels(src(`rename sl ${CURSOR}`)), ['to']);
  assert.deepEqual(labels(src(`rename sl to ${CURSOR}`)), []);
  assert.deepEqual(labels(src(`derive ${CURSOR}`)), [], 'a new column name is free text');
  includes(labels(src(`clip sl to ${CURSOR}`)), ['quantile'], 'clip to');
});

test('a model body offers its keys, then values from the catalog for the task', () => {
  const body = (line: string): string => `${IRIS}\nsplit parts from iris { train: 80%, test: 20% }\nmodel m from parts.train {\n  target: species\n  ${line}\n}`;
  const keys = labels(body(CURSOR));
  includes(keys, ['algorithm', 'features', 'exclude', 'resample', 'ensemble'], 'key');
  excludes(keys, ['target', 'metrics', 'sepal_length_cm', ...DECLARATIONS], 'key');
  const algorithms = labels(body(`algorithm: ${CURSOR}`));
  includes(algorithms, ['random_forest', 'logistic_regression', 'naive_bayes', 'auto'], 'algorithm');
  excludes(algorithms, ['linear_regression', 'log', ...DECLARATIONS], 'algorithm of a classifier');
  includes(labels(body(`algorithm: random_forest(${CURSOR}`)), ['trees', 'max_depth', 'max_features'], 'random_forest(');
  includes(labels(body(`algorithm: random_forest(trees: 10, ${CURSOR}`)), ['max_depth'], 'random_forest(trees: 10,');
  includes(labels(body(`algorithm: random_forest(max_features: ${CURSOR}`)), ['sqrt', 'log2'], 'max_features:');
  excludes(labels(body(`algorithm: random_forest(max_features: ${CURSOR}`)), ['trees', 'species'], 'max_features:');
  includes(labels(body(`algorithm: auto(candidates: [knn, ${CURSOR}`)), ['random_forest', 'naive_bayes'], 'auto candidates');
  excludes(labels(body(`algorithm: auto(candidates: [knn, ${CURSOR}`)), ['auto', 'linear_regression'], 'auto candidates');
  includes(labels(body(`algorithm: auto(metric: ${CURSOR}`)), ['accuracy', 'f1'], 'auto metric');
  includes(labels(body(`tune: random(${CURSOR}`)), ['trials', 'metric'], 'random(');
  includes(labels(body(`tune: grid(metric: ${CURSOR}`)), ['accuracy', 'f1', 'roc_auc', 'log_loss'], 'tune metric');
  excludes(labels(body(`tune: grid(metric: ${CURSOR}`)), ['rmse', 'r2'], 'tune metric of a classifier');
  includes(labels(body(`features: [${CURSOR}`)), IRIS_COLUMNS.slice(0, 4), 'features');
  includes(labels(body(`features: [petal_length_cm, ${CURSOR}]`)), ['sepal_width_cm'], 'features second');
  includes(labels(body(`resample: ${CURSOR}`)), ['smote', 'undersample'], 'resample');
  includes(labels(body(`resample: smote(${CURSOR}`)), ['k'], 'smote(');
  includes(labels(body(`ensemble: voting(of: [${CURSOR}`)), ['m'], 'voting of');
  includes(labels(body(`ensemble: stacking(of: [a, b], ${CURSOR}`)), ['of', 'final', 'cv'], 'stacking(');
  includes(labels(body(`ensemble: blending(${CURSOR}`)), ['of', 'final', 'holdout'], 'blending(');
  const finals = labels(body(`ensemble: stacking(of: [a, b], final: ${CURSOR}`));
  includes(finals, ['logistic_regression', 'naive_bayes'], 'stacking final');
  excludes(finals, ['auto', 'linear_regression'], 'stacking final of a classifier');
  assert.deepEqual(labels(body(`calibrate: ${CURSOR}`)).sort(), ['isotonic', 'sigmoid'], 'calibrate');
  assert.deepEqual(labels(body(`calibrate: isotonic(${CURSOR}`)), ['cv'], 'isotonic(');
  includes(keys, ['calibrate'], 'key');
  assert.deepEqual(labels(body(`class_weight: ${CURSOR}`)), ['balanced', '{…}'], 'class_weight');
  includes(labels(body(`tune: ${CURSOR}`)), ['grid', 'random', 'halving'], 'tune');
  includes(labels(body(`tune: halving(${CURSOR}`)), ['factor', 'min_rows', 'trials', 'metric', 'budget'], 'halving(');
  includes(labels(body(`tune: random(${CURSOR}`)), ['trials', 'budget'], 'random(');
  includes(labels(body(`algorithm: gradient_boosting(${CURSOR}`)), ['early_stopping', 'validation_fraction'], 'gradient_boosting(');
  includes(keys, ['class_weight'], 'key');
  assert.deepEqual(labels(body(`algorithm: knn ${CURSOR}`)), [], 'after a value');
});

test('a regression model is offered regression algorithms and metrics only', () => {
  const algorithms = labels(CARS_MODEL.replace('algorithm: linear_regression', `algorithm: ${CURSOR}`));
  includes(algorithms, ['linear_regression', 'gradient_boosting'], 'regression');
  excludes(algorithms, ['logistic_regression', 'naive_bayes'], 'regression');
  const metrics = labels(`${CARS_MODEL}\nevaluate reg on parts.test {\n  metrics: [rmse, ${CURSOR}]\n}`);
  includes(metrics, ['mae', 'r2'], 'regression metrics');
  excludes(metrics, ['accuracy', 'f1'], 'regression metrics');
  assert.deepEqual(labels(CARS_MODEL.replace('algorithm: linear_regression', `algorithm: linear_regression\n  calibrate: ${CURSOR}`)), [], 'no calibration of a regression');
  const finals = labels(CARS_MODEL.replace('algorithm: linear_regression', `ensemble: stacking(of: [a, b], final: ${CURSOR}`));
  includes(finals, ['linear_regression', 'knn'], 'regression stacking final');
  excludes(finals, ['logistic_regression'], 'regression stacking final');
  const tuneMetrics = labels(CARS_MODEL.replace('algorithm: linear_regression', `algorithm: linear_regression\n  tune: grid(metric: ${CURSOR}`));
  includes(tuneMetrics, ['rmse', 'mape'], 'regression tune metric');
  excludes(tuneMetrics, ['f1'], 'regression tune metric');
});

test('evaluate, compare and monitor bodies offer the model task\'s metrics, fitting tests and tables', () => {
  includes(labels(`${IRIS_MODEL}\nevaluate m on parts.test {\n  metrics: [${CURSOR}\n}`), ['accuracy', 'roc_auc'], 'metrics');
  includes(labels(`${IRIS_MODEL}\nevaluate m on parts.test {\n  threshold: tune(${CURSOR})\n}`), ['f1'], 'tune(');
  const cmp = `${IRIS_MODEL}\nmodel k from parts.train { target: species, algorithm: knn }\ncompare m, k on parts.test {\n  metric: f1\n  test: ${CURSOR}\n}`;
  assert.deepEqual(labels(cmp), ['bootstrap'], 'only the bootstrap judges f1');
  const mon = `${IRIS_MODEL}\nmonitor w for m {\n  baseline: parts.train\n  alert: ${CURSOR}\n}`;
  includes(labels(mon), ['accuracy', 'f1'], 'alert');
  excludes(labels(mon), ['log', 'sepal_length_cm'], 'alert');
  assert.deepEqual(labels(mon.replace(`alert: ${CURSOR}`, `alert: f1 < 0.7 ${CURSOR}`)).sort(), ['and', 'or']);
  includes(labels(mon.replace(`alert: ${CURSOR}`, `retrain: ${CURSOR}`)), ['on_drift', 'never', 'schedule', 'on_alert(with_actuals: true)', 'on_drift(with_actuals: true)'], 'retrain');
  assert.deepEqual(labels(mon.replace(`alert: ${CURSOR}`, `notify: ${CURSOR}`)), ['webhook', 'command', 'vscode'], 'notify');
  includes(labels(mon.replace(`alert: ${CURSOR}`, `notify: [vscode, ${CURSOR}]`)), ['webhook'], 'notify list');
  const withHook = mon.replace(`alert: ${CURSOR}`, 'notify: [vscode, webhook "https://example.com/h"]');
  const hookHover = hover(checkPipeline(withHook, FILE, cache), withHook.indexOf('webhook') + 2, () => ({}));
  assert.match(JSON.stringify(hookHover?.contents ?? ''), /notify target.*POST the event as JSON/);
  includes(labels(mon.replace(`alert: ${CURSOR}`, `drift: psi(${CURSOR})`)), ['threshold'], 'psi(');
  includes(labels(mon.replace(`alert: ${CURSOR}`, `drift: ${CURSOR}`)), ['psi', 'ks', 'kl', 'js', 'wasserstein'], 'drift methods');
  includes(labels(mon.replace(`alert: ${CURSOR}`, `drift: wasserstein(${CURSOR})`)), ['threshold'], 'wasserstein(');
  const withJs = mon.replace(`alert: ${CURSOR}`, 'drift: js(threshold: 0.1)');
  const shown = hover(checkPipeline(withJs, FILE, cache), withJs.indexOf('js(') + 1, () => ({}));
  assert.match(JSON.stringify(shown?.contents ?? ''), /Jensen-Shannon distance/);
  excludes(labels(mon.replace(`alert: ${CURSOR}`, `${CURSOR}`)), ['baseline'], 'a key already given');
  includes(labels(mon.replace(`alert: ${CURSOR}`, `${CURSOR}`)), ['actuals', 'window', 'min_rows', 'time'], 'ground-truth keys');
  includes(labels(mon.replace(`alert: ${CURSOR}`, `drift: [psi(threshold: 0.2), ${CURSOR}]`)), ['ks', 'wasserstein'], 'drift methods in a list');
  includes(labels(mon.replace(`alert: ${CURSOR}`, `window: ${CURSOR}`)), ['1d', '7d'], 'window durations');
  const listed = mon.replace(`alert: ${CURSOR}`, 'drift: [psi(threshold: 0.2), ks(threshold: 0.1)]');
  const ksShown = hover(checkPipeline(listed, FILE, cache), listed.indexOf('ks(') + 1, () => ({}));
  assert.match(JSON.stringify(ksShown?.contents ?? ''), /Kolmogorov-Smirnov/);
});

test('backquoted columns: offered quoted, and a half-typed backquoted name is replaced whole', () => {
  const src = `${PENGUINS}\ntransform t from penguins {\n  derive heavy = \`Body${CURSOR}\n}`;
  const items = itemsAt(src);
  const mass = items.find((i) => i.label === 'Body Mass (g)');
  assert.ok(mass?.textEdit && 'range' in mass.textEdit, JSON.stringify(mass));
  assert.equal(mass.textEdit.newText, '`Body Mass (g)`');
  assert.equal(mass.filterText, '`Body Mass (g)`');
  assert.deepEqual(mass.textEdit.range.start, { line: 2, character: 17 });
  const plain = itemsAt(`${PENGUINS}\ntransform t from penguins {\n  drop ${CURSOR}\n}`).find((i) => i.label === 'Beak Length (mm)');
  assert.equal(plain?.insertText, '`Beak Length (mm)`');
  // Inside a backquoted name nothing but columns is offered.
  excludes(labels(src), ['log', ...DECLARATIONS], 'inside backquotes');
});

test('hostile column names are offered as backquoted text, never executed or split', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-complete-'));
  writeFileSync(join(dir, 'h.csv'), '"<img src=x onerror=alert(1)>",plan name,y\n1,a,true\n2,b,false\n3,a,true\n');
  const file = join(dir, 'h.narml');
  const items = itemsAt(`dataset h from "h.csv"\ntransform t from h {\n  drop ${CURSOR}\n}`, file);
  const img = items.find((i) => i.label === '<img src=x onerror=alert(1)>');
  assert.equal(img?.insertText, '`<img src=x onerror=alert(1)>`');
  assert.equal(items.find((i) => i.label === 'plan name')?.insertText, '`plan name`');
  includes(labels(`dataset h from "h.csv" {\n  columns {\n    ${CURSOR}\n  }\n}`, file), ['plan name', 'y'], 'columns block');
});

test('a dataset body offers its keys and, in columns { }, the file\'s columns then the types', () => {
  const keys = labels(`dataset iris from "../fixtures/data/iris.csv" {\n  ${CURSOR}\n}`);
  includes(keys, ['columns', 'missing', 'delimiter', 'decimal', 'thousands'], 'dataset keys');
  excludes(keys, ['target', ...DECLARATIONS], 'dataset keys');
  includes(labels(`dataset iris from "../fixtures/data/iris.csv" {\n  columns { species: ${CURSOR} }\n}`), ['category', 'text'], 'column type');
  assert.deepEqual(labels(`dataset iris from "../fixtures/data/iris.csv" {\n  header: ${CURSOR}\n}`).sort(), ['false', 'true']);
  assert.deepEqual(labels(`dataset iris from "../fixtures/data/iris.csv" {\n  encoding: "${CURSOR}"\n}`), [], 'inside a string');
});

test('a Parquet dataset body offers only columns { }: the file carries its own CSV options', () => {
  assert.deepEqual(labels(`engine: duckdb\ndataset iris from "../fixtures/data/iris.parquet" {\n  ${CURSOR}\n}`), ['columns']);
  assert.deepEqual(labels(`engine: duckdb\ndataset iris from "../fixtures/data/iris.parquet" {\n  columns { }\n  ${CURSOR}\n}`), []);
});

test('no completion inside a comment', () => {
  assert.deepEqual(labels(`${IRIS}\n# a note about ${CURSOR}`), []);
});

test('split bodies offer the parts and stratify columns', () => {
  const src = `${IRIS}\nsplit parts from iris {\n  train: 80%\n  ${CURSOR}\n}`;
  includes(labels(src), ['test', 'validation', 'stratify', 'seed'], 'split keys');
  excludes(labels(src), ['train'], 'split keys');
  includes(labels(src.replace(CURSOR, `stratify: ${CURSOR}`)), ['species'], 'stratify');
});
