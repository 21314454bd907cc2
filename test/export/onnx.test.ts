// Whole pipelines exported to ONNX: onnx.checker accepts each file, and onnxruntime-node's
// predictions equal the runner's on every row (labels exactly, probabilities within 1e-5).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPipelineToOnnx, OnnxExportError } from '../../server/src/export/onnx-export';
import { predictPrepared } from '../../server/src/runner/scoring';
import { cancer, classifierKinds, data, penguins, trained } from './trained-pipeline';
import { saveModel } from '../../server/src/ml/registry';

const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
const dir = mkdtempSync(join(tmpdir(), 'narml-onnx-'));

const py = '/usr/bin/python3';
// Installed before the tests by scripts/setup-system.mjs (Debian package python3-onnx).
before(() => {
  const onnx = spawnSync(py, ['-c', 'import onnx'], { encoding: 'utf8' });
  assert.equal(onnx.status, 0, `the onnx checker is missing (${onnx.stderr.trim()}): run \`node scripts/setup-system.mjs\` as root`);
});

async function agree(text: string, model: string): Promise<void> {
  const { tm, test } = await trained(text, model, dir);
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
  ...classifierKinds(penguins),
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
  const { tm } = await trained(cars('gradient_boosting').replace('drop Name\n', 'derive name_length = length(Name)\n  drop Name\n'), 'm', dir);
  assert.throws(() => exportPipelineToOnnx({ name: 'm', inputColumns: tm.info.inputColumns, steps: tm.steps, model: saveModel(tm.model!) }), (e: unknown) => e instanceof OnnxExportError && /derive name_length/.test(e.message) && /length\(\) counts characters/.test(e.message));
});
