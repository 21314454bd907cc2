// What every export test starts from: a pipeline checked, its steps fitted and its model trained
// as a run does, with the raw rows of its test part to score in the exported file's runtime.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { infoOf } from '../../server/src/checker/checked-model';
import { MemoryEngine } from '../../server/src/engine/memory-engine';
import { PipelineData } from '../../server/src/runner/pipeline-data';
import { featureMatrix, makeTarget, targetValues, usableRows, subsetMatrix } from '../../server/src/runner/model-data';
import type { TrainedModel } from '../../server/src/runner/scoring';
import { trainModel } from '../../server/src/runner/train-model';
import { formatDate, selectRows } from '../../server/src/transforms/table-ops';
import type { Table } from '../../server/src/data/table';

export const data = join(__dirname, '..', 'fixtures', 'data');

/** Trains `model` of `text` (written to `dir`) on its train part; `test` is the raw rows of parts.test. */
export async function trained(text: string, model: string, dir: string): Promise<{ tm: TrainedModel; test: Table }> {
  const file = join(dir, `${model}.narml`);
  writeFileSync(file, text);
  const checked = await checkWithFullSchemas(text, file);
  assert.deepEqual(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const info = infoOf(checked, model, 'model')!;
  const pd = new PipelineData(checked, new MemoryEngine());
  const fitted = await pd.fitChain(pd.chain(info.input));
  const x = featureMatrix(fitted.train.table, info.features.map((f) => f.name));
  const y = targetValues(fitted.train.table, info);
  const rows = usableRows(x, y, info.algorithm!.name === 'gradient_boosting', info.task === 'classification');
  const outcome = trainModel(info, subsetMatrix(x, rows), makeTarget(info, y, rows), { seed: 42 });
  const tm: TrainedModel = { info, steps: fitted.fitted, model: outcome.model, trainRows: rows.length, options: outcome.options };
  const testChain = pd.chain('parts.test');
  const raw = await pd.rawTable(testChain.dataset);
  return { tm, test: selectRows(raw, await pd.rawRows(testChain)) };
}

/** The table's rows as JSON objects of raw values: numbers, booleans, ISO dates, text; null for missing. */
export function rowsOf(t: Table): Record<string, unknown>[] {
  return Array.from({ length: t.rowCount }, (_, i) => Object.fromEntries(t.names.map((name, j) => {
    const c = t.columns[j];
    if ('codes' in c) return [name, c.codes[i] < 0 ? null : c.levels[c.codes[i]]];
    const v = c.values[i];
    if (Number.isNaN(v)) return [name, null];
    return [name, c.type === 'boolean' ? v === 1 : c.type === 'date' ? formatDate(v) : v];
  })));
}

/** Cells of a CSV line the runner wrote (quoted cells may hold commas and doubled quotes). */
export function csvCells(line: string): string[] {
  const out: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    out.push(m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]);
    if (m[2] === '') break;
  }
  return out;
}

/** Breast cancer, two columns robust-scaled: a binary classifier for every export format. */
export const cancer = (algorithm: string): string => `dataset bc from "${data}/breast_cancer.csv"
transform t from bc { scale mean_radius, mean_texture with robust }
split parts from t { train: 75%, test: 25%, stratify: diagnosis, seed: 5 }
model m from parts.train { target: diagnosis, algorithm: ${algorithm} }`;

/** Penguins with every kind of step before `algorithm`; `derives` adds lines at the end of its transform. */
export const penguins = (algorithm: string, derives = ''): string => `dataset penguins from "${data}/penguins.csv" { missing: ["", "NA", "."] }
transform prepared from penguins {
  rename \`Body Mass (g)\` to mass
  impute \`Beak Length (mm)\`, \`Beak Depth (mm)\`, \`Flipper Length (mm)\`, mass with median
  impute Sex with mode
  encode Island, Sex as onehot
  scale mass, \`Flipper Length (mm)\` with standard
  clip \`Beak Depth (mm)\` to [14, 21]
  derive ratio = \`Beak Length (mm)\` / \`Beak Depth (mm)\`${derives}
}
split parts from prepared { train: 75%, test: 25%, stratify: Species, seed: 3 }
model m from parts.train { target: Species, algorithm: ${algorithm} }`;

/** The classifiers every export format is tested on: three classes on penguins, two on breast cancer. */
export const classifierKinds = (penguins: (algorithm: string) => string): [string, string][] => [
  ['multiclass logistic regression with impute, one-hot, scale, clip, derive', penguins('logistic_regression')],
  ['multiclass random forest', penguins('random_forest(trees: 30)')],
  ['multiclass gradient boosting', penguins('gradient_boosting(rounds: 30)')],
  ['decision tree classifier', penguins('decision_tree(max_depth: 5)')],
  ['binary logistic regression with robust scaling', cancer('logistic_regression(c: 0.5, max_iter: 500)')],
  ['binary gradient boosting', cancer('gradient_boosting')],
  ['binary random forest', cancer('random_forest(trees: 20)')],
];
