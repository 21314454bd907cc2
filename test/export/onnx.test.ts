// Whole pipelines exported to ONNX: onnx.checker accepts each file, and onnxruntime-node's
// predictions equal the runner's on every row (labels exactly, probabilities within 1e-5).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { infoOf } from '../../server/src/checker/checked-model';
import { exportPipelineToOnnx, OnnxExportError } from '../../server/src/export/onnx-export';
import { MemoryEngine } from '../../server/src/engine/memory-engine';
import { PipelineData } from '../../server/src/runner/pipeline-data';
import { featureMatrix, makeTarget, targetValues, usableRows, subsetMatrix } from '../../server/src/runner/model-data';
import { predictPrepared, type TrainedModel } from '../../server/src/runner/scoring';
import { trainModel } from '../../server/src/runner/train-model';
import { saveModel } from '../../server/src/ml/registry';
import { selectRows } from '../../server/src/transforms/table-ops';
import type { Table } from '../../server/src/data/table';

const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
const data = join(__dirname, '..', 'fixtures', 'data');
const dir = mkdtempSync(join(tmpdir(), 'narml-onnx-'));

const py = '/usr/bin/python3';
// Installed before the tests by scripts/setup-system.mjs (Debian package python3-onnx).
before(() => {
  const onnx = spawnSync(py, ['-c', 'import onnx'], { encoding: 'utf8' });
  assert.equal(onnx.status, 0, `the onnx checker is missing (${onnx.stderr.trim()}): run \`node scripts/setup-system.mjs\` as root`);
});

async function trained(text: string, model: string): Promise<{ tm: TrainedModel; test: Table }> {
  const file = join(dir, `${model}.narml`);
  writeFileSync(file, text);
  const checked = await checkWithFullSchemas(text, file);
  assert.deepEqual(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const info = infoOf(checked, model, 'model')!;
  const pd = new PipelineData(checked, new MemoryEngine());
  const chain = pd.chain(info.input);
  const fitted = await pd.fitChain(chain);
  const x = featureMatrix(fitted.train.table, info.features.map((f) => f.name));
  const y = targetValues(fitted.train.table, info);
  const rows = usableRows(x, y, info.algorithm!.name === 'gradient_boosting', info.task === 'classification');
  const outcome = trainModel(info, subsetMatrix(x, rows), makeTarget(info, y, rows), { seed: 42 });
  const tm: TrainedModel = { info, steps: fitted.fitted, model: outcome.model, trainRows: rows.length, options: outcome.options };
  const testChain = pd.chain('parts.test');
  const raw = await pd.rawTable(testChain.dataset);
  return { tm, test: selectRows(raw, await pd.rawRows(testChain)) };
}

async function agree(text: string, model: string): Promise<void> {
  const { tm, test } = await trained(text, model);
  const bytes = exportPipelineToOnnx({ name: model, inputColumns: tm.info.inputColumns, steps: tm.steps, model: saveModel(tm.model!) });
  const path = join(dir, `${model}.onnx`);
  writeFileSync(path, bytes);
  const check = spawnSync(py, ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  const ours = predictPrepared(tm, test, 'predict');
  const feeds: Record<string, import('onnxruntime-node').Tensor> = {};
  for (const c of tm.info.inputColumns) {
    const col = test.columns[test.names.indexOf(c.name)];
    if ('codes' in col) feeds[c.name] = new ort.Tensor('string', Array.from(col.codes, (k) => (k < 0 ? '' : col.levels[k])), [test.rowCount, 1]);
    else feeds[c.name] = new ort.Tensor('float32', Float32Array.from(col.values), [test.rowCount, 1]);
  }
  const session = await ort.InferenceSession.create(path);
  const out = await session.run(feeds);
  const classes = tm.info.classes;
  const labels = Array.from(out.label.data as ArrayLike<string | number>);
  for (let i = 0; i < test.rowCount; i++) {
    if (!ours.usable[i]) continue;
    if (classes) assert.equal(labels[i], classes[ours.pred[i]], `row ${i}: label`);
    else assert.ok(Math.abs(Number(labels[i]) - ours.pred[i]) <= 1e-4 * Math.max(1, Math.abs(ours.pred[i])), `row ${i}: ${labels[i]} vs ${ours.pred[i]}`);
  }
  if (classes) {
    const p = out.probabilities.data as Float32Array;
    for (let i = 0; i < p.length; i++) if (ours.usable[Math.floor(i / classes.length)]) assert.ok(Math.abs(p[i] - ours.proba![i]) <= 1e-5, `probability ${i}: ${p[i]} vs ${ours.proba![i]}`);
  }
}

const penguins = (algorithm: string): string => `dataset penguins from "${data}/penguins.csv" { missing: ["", "NA", "."] }
transform prepared from penguins {
  rename \`Body Mass (g)\` to mass
  impute \`Beak Length (mm)\`, \`Beak Depth (mm)\`, \`Flipper Length (mm)\`, mass with median
  impute Sex with mode
  encode Island, Sex as onehot
  scale mass, \`Flipper Length (mm)\` with standard
  clip \`Beak Depth (mm)\` to [14, 21]
  derive ratio = \`Beak Length (mm)\` / \`Beak Depth (mm)\`
}
split parts from prepared { train: 75%, test: 25%, stratify: Species, seed: 3 }
model m from parts.train { target: Species, algorithm: ${algorithm} }`;

const cancer = (algorithm: string): string => `dataset bc from "${data}/breast_cancer.csv"
transform t from bc { scale mean_radius, mean_texture with robust }
split parts from t { train: 75%, test: 25%, stratify: diagnosis, seed: 5 }
model m from parts.train { target: diagnosis, algorithm: ${algorithm} }`;

const cars = (algorithm: string): string => `dataset cars from "${data}/cars.csv" { columns { Name: text } }
transform t from cars {
  drop Name
  drop_missing Miles_per_Gallon
  derive age = days_between(Year, date("1983-01-01"))
  drop Year
  encode Origin as onehot
}
split parts from t { train: 80%, test: 20%, seed: 9 }
model m from parts.train { target: Miles_per_Gallon, algorithm: ${algorithm} }`;

for (const [name, text] of [
  ['multiclass logistic regression with impute, one-hot, scale, clip, derive', penguins('logistic_regression')],
  ['multiclass random forest', penguins('random_forest(trees: 30)')],
  ['multiclass gradient boosting', penguins('gradient_boosting(rounds: 30)')],
  ['decision tree classifier', penguins('decision_tree(max_depth: 5)')],
  ['binary logistic regression with robust scaling', cancer('logistic_regression(c: 0.5, max_iter: 500)')],
  ['binary gradient boosting', cancer('gradient_boosting')],
  ['binary random forest', cancer('random_forest(trees: 20)')],
  ['gradient boosting regression with native missing values', cars('gradient_boosting')],
  ['multiclass Gaussian naive Bayes', penguins('naive_bayes')],
  ['binary Gaussian naive Bayes', cancer('naive_bayes')],
  ['multiclass kNN', penguins('knn(k: 7)')],
  ['binary kNN with an even k (tied votes go to the first class)', cancer('knn(k: 4)')],
] as const) {
  test(`ONNX export: ${name}`, async () => agree(text, 'm'));
}

test('ONNX export: linear regression needs imputed features and agrees', async () => agree(cars('linear_regression').replace('drop Year', 'drop Year\n  impute Horsepower with median'), 'm'));
test('ONNX export: kNN regression agrees', async () => agree(cars('knn(k: 3)').replace('drop Year', 'drop Year\n  impute Horsepower with median'), 'm'));

test('a step ONNX cannot express is named in the error', async () => {
  const { tm } = await trained(cars('gradient_boosting').replace('drop Year\n', 'derive yr = year(Year)\n  drop Year\n'), 'm');
  assert.throws(() => exportPipelineToOnnx({ name: 'm', inputColumns: tm.info.inputColumns, steps: tm.steps, model: saveModel(tm.model!) }), (e: unknown) => e instanceof OnnxExportError && /derive yr/.test(e.message) && /year\(\)/.test(e.message));
});
