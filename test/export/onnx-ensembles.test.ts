// Ensembles and calibrated models exported to ONNX by a whole run (`export M to "m.onnx"` beside
// `predict … from parts.test`): onnx.checker accepts each file, and onnxruntime-node's labels equal
// the prediction file's on every test row, its probabilities within 1e-5.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import { MemoryEngine } from '../../server/src/engine/memory-engine';
import { PipelineData } from '../../server/src/runner/pipeline-data';
import { runPipeline } from '../../server/src/runner/run-pipeline';
import { selectRows } from '../../server/src/transforms/table-ops';
import { data } from './trained-pipeline';

const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
const py = '/usr/bin/python3';

before(() => {
  const onnx = spawnSync(py, ['-c', 'import onnx'], { encoding: 'utf8' });
  assert.equal(onnx.status, 0, `the onnx checker is missing (${onnx.stderr.trim()}): run \`node scripts/setup-system.mjs\` as root`);
});

/**
 * Runs `text` plus an export of `model` and a prediction of the test part with it, then scores
 * the test part's raw rows with onnxruntime. Returns how many rows were compared.
 */
async function agree(text: string, model: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-onnx-ensembles-'));
  const file = join(dir, 'p.narml');
  const full = `${text}\nexport ${model} to "${model}.onnx"\npredict scored with ${model} from parts.test { output: "scored.csv" }\n`;
  writeFileSync(file, full);
  const checked = await checkWithFullSchemas(full, file);
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const run = await runPipeline(checked);
  assert.equal(run.status, 'succeeded', run.error);
  const path = join(dir, `${model}.onnx`);
  const check = spawnSync(py, ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);

  const pd = new PipelineData(checked, new MemoryEngine());
  const chain = pd.chain('parts.test');
  const test = selectRows(await pd.rawTable(chain.dataset), await pd.rawRows(chain));
  const session = await ort.InferenceSession.create(path);
  const feeds: Record<string, import('onnxruntime-node').Tensor> = {};
  for (const name of session.inputNames) {
    const col = test.columns[test.names.indexOf(name)];
    if ('codes' in col) feeds[name] = new ort.Tensor('string', Array.from(col.codes, (k) => (k < 0 ? '' : col.levels[k])), [test.rowCount, 1]);
    else feeds[name] = new ort.Tensor('float32', Float32Array.from(col.values), [test.rowCount, 1]);
  }
  const out = await session.run(feeds);

  // The prediction file: the input columns, `prediction`, then `probability_<class>` per class.
  const [header, ...rows] = readFileSync(join(dir, 'scored.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  assert.equal(rows.length, test.rowCount);
  const at = header.indexOf('prediction');
  const classes = header.slice(at + 1).map((h) => h.replace(/^probability_/, ''));
  const labels = Array.from(out.label.data as ArrayLike<string | number>);
  const proba = out.probabilities?.data as Float32Array | undefined;
  let compared = 0;
  rows.forEach((r, i) => {
    const ours = r[r.length - 1 - classes.length];
    if (ours === '') return; // a row the runner cannot score (a feature missing)
    compared++;
    if (classes.length === 0) assert.ok(Math.abs(Number(labels[i]) - Number(ours)) <= 1e-4 * Math.max(1, Math.abs(Number(ours))), `row ${i}: ${labels[i]} vs ${ours}`);
    else assert.equal(labels[i], ours, `row ${i}: label`);
    classes.forEach((c, k) => {
      const p = Number(r[r.length - classes.length + k]);
      assert.ok(Math.abs(proba![i * classes.length + k] - p) <= 1e-5, `row ${i}: probability of ${c}: ${proba![i * classes.length + k]} vs ${p}`);
    });
  });
  return compared;
}

const iris = `dataset iris from "${data}/iris.csv"
split parts from iris { train: 70%, test: 30%, stratify: species, seed: 4 }
transform scaled from parts.train { scale sepal_length_cm, sepal_width_cm, petal_length_cm, petal_width_cm with standard }
transform ratios from parts.train {
  derive petal_ratio = petal_length_cm / petal_width_cm
  drop sepal_width_cm
}
model lr from scaled { target: species, algorithm: logistic_regression }
model nb from ratios { target: species, algorithm: naive_bayes }
model kn from scaled { target: species, algorithm: knn(k: 4) }
model rf from parts.train { target: species, algorithm: random_forest(trees: 15) }`;

const cancerFeatures = readFileSync(join(data, 'breast_cancer.csv'), 'utf8').split('\n')[0].split(',').slice(0, -1);
const cancer = `dataset bc from "${data}/breast_cancer.csv"
split parts from bc { train: 70%, test: 30%, stratify: diagnosis, seed: 5 }
transform scaled from parts.train { scale ${cancerFeatures.join(', ')} with standard }
model lr from scaled { target: diagnosis, algorithm: logistic_regression }
model nb from parts.train { target: diagnosis, algorithm: naive_bayes }
model tree from parts.train { target: diagnosis, algorithm: decision_tree(max_depth: 3) }
model gb from parts.train { target: diagnosis, algorithm: gradient_boosting }`;

const cars = `dataset cars from "${data}/cars.csv" { columns { Name: text } }
split parts from cars { train: 80%, test: 20%, seed: 9 }
transform t from parts.train {
  drop Name
  drop_missing Miles_per_Gallon
  impute Horsepower with median
  derive age = days_between(Year, date("1983-01-01"))
  drop Year
  encode Origin as onehot
}
model lin from t { target: Miles_per_Gallon, algorithm: linear_regression }
model kn from t { target: Miles_per_Gallon, algorithm: knn(k: 5) }
model gb from t { target: Miles_per_Gallon, algorithm: gradient_boosting }`;

for (const [name, text, model] of [
  ['soft voting of three classes (members with their own transforms)', `${iris}\nmodel e from parts.train { target: species, ensemble: voting(of: [lr, nb, kn, rf]) }`, 'e'],
  ['hard voting of two members (a tie goes to the first class)', `${cancer}\nmodel e from parts.train { target: diagnosis, ensemble: voting(of: [tree, nb], soft: false) }`, 'e'],
  ['hard voting of three classes', `${iris}\nmodel e from parts.train { target: species, ensemble: voting(of: [lr, kn, rf, nb], soft: false) }`, 'e'],
  ['stacking of three classes', `${iris}\nmodel e from parts.train { target: species, ensemble: stacking(of: [lr, nb, rf], cv: 3) }`, 'e'],
  ['binary stacking with a boosted final model', `${cancer}\nmodel e from parts.train { target: diagnosis, ensemble: stacking(of: [lr, nb, tree], final: gradient_boosting) }`, 'e'],
  ['blending with passed-through features', `${cancer}\nmodel e from parts.train { target: diagnosis, ensemble: blending(of: [lr, nb], holdout: 25%, final: logistic_regression, passthrough: true) }`, 'e'],
  ['voting regression', `${cars}\nmodel e from t { target: Miles_per_Gallon, ensemble: voting(of: [lin, kn, gb]) }`, 'e'],
  ['stacking regression', `${cars}\nmodel e from t { target: Miles_per_Gallon, ensemble: stacking(of: [lin, kn, gb]) }`, 'e'],
  ['voting of a stacking and a model', `${iris}\nmodel s from parts.train { target: species, ensemble: stacking(of: [lr, nb]) }\nmodel e from parts.train { target: species, ensemble: voting(of: [s, rf]) }`, 'e'],
  ['sigmoid-calibrated logistic regression of three classes', iris.replace('algorithm: logistic_regression', 'algorithm: logistic_regression, calibrate: sigmoid(cv: 3)'), 'lr'],
  ['isotonic-calibrated boosting of two classes', cancer.replace('algorithm: gradient_boosting', 'algorithm: gradient_boosting, calibrate: isotonic'), 'gb'],
  ['isotonic-calibrated random forest of three classes', iris.replace('algorithm: random_forest(trees: 15)', 'algorithm: random_forest(trees: 15), calibrate: isotonic(cv: 3)'), 'rf'],
  ['sigmoid-calibrated naive Bayes in a stacking', `${cancer.replace('algorithm: naive_bayes', 'algorithm: naive_bayes, calibrate: sigmoid')}\nmodel e from parts.train { target: diagnosis, ensemble: stacking(of: [lr, nb]) }`, 'e'],
] as const) {
  test(`ONNX export: ${name} agrees with the run's predictions`, async () => {
    const compared = await agree(text, model);
    assert.ok(compared >= 30, `only ${compared} rows compared`);
  });
}
