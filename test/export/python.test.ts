// Whole pipelines exported as Python modules: Debian's python3 with numpy imports each module and
// scores the test rows, and its labels equal the runner's on every row (probabilities and
// regression values within 1e-9).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, sample } from '../helpers/cli';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { exportPipelineToPython, PythonExportError } from '../../server/src/export/python-export';
import { predictPrepared } from '../../server/src/runner/scoring';
import { cancer, classifierKinds, data, penguins, rowsOf, trained } from './trained-pipeline';
import { saveModel } from '../../server/src/ml/registry';

const dir = mkdtempSync(join(tmpdir(), 'narml-py-'));
const py = '/usr/bin/python3';

before(() => {
  const numpy = spawnSync(py, ['-c', 'import numpy'], { encoding: 'utf8' });
  assert.equal(numpy.status, 0, `numpy is missing for ${py} (${numpy.stderr.trim()}): install Debian's python3-numpy`);
});

type Scored = { label: string | number | null; probabilities?: number[] };

function runPython(source: string, name: string, rows: Record<string, unknown>[]): Scored[] {
  const module = join(dir, `${name}.py`);
  writeFileSync(module, source);
  const input = join(dir, `${name}.json`);
  writeFileSync(input, JSON.stringify(rows));
  const script = 'import importlib.util, json, sys\n'
    + 'spec = importlib.util.spec_from_file_location("m", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n'
    + 'print(json.dumps(m.predict(json.load(open(sys.argv[2])))))';
  const run = spawnSync(py, ['-c', script, module, input], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Scored[];
}

async function agree(text: string, model: string, tag: string): Promise<void> {
  const { tm, test } = await trained(text, model, dir);
  const source = exportPipelineToPython({ name: model, inputColumns: tm.info.inputColumns, steps: tm.steps, model: saveModel(tm.model!) });
  const out = runPython(source, tag, rowsOf(test));
  const ours = predictPrepared(tm, test, 'predict');
  assert.equal(out.length, test.rowCount);
  const classes = tm.info.classes;
  let scored = 0;
  for (let i = 0; i < test.rowCount; i++) {
    if (!ours.usable[i]) { assert.equal(out[i].label, null, `row ${i}: the runner cannot score it`); continue; }
    scored++;
    if (classes) {
      assert.equal(out[i].label, classes[ours.pred[i]], `row ${i}: label`);
      for (let c = 0; c < classes.length; c++) assert.ok(Math.abs(out[i].probabilities![c] - ours.proba![i * classes.length + c]) <= 1e-9, `row ${i} class ${c}: ${out[i].probabilities![c]} vs ${ours.proba![i * classes.length + c]}`);
    } else assert.ok(Math.abs(Number(out[i].label) - ours.pred[i]) <= 1e-9 * Math.max(1, Math.abs(ours.pred[i])), `row ${i}: ${out[i].label} vs ${ours.pred[i]}`);
  }
  assert.ok(scored > 10, `only ${scored} rows scored`);
}

const penguinsWithIf = (algorithm: string): string => penguins(algorithm, '\n  derive long = if(`Beak Length (mm)` > 45 and not (mass < 0), 1, round(ratio * 10) % 3)');

const cars = (algorithm: string): string => `dataset cars from "${data}/cars.csv" { columns { Name: text } }
transform t from cars {
  derive brand_len = length(lower(Name)) + if(contains(Name, "ford"), 1, 0)
  drop Name
  drop_missing Miles_per_Gallon
  derive age = days_between(Year, date("1983-01-01"))
  derive yr = year(Year) + month(Year) / 12 + weekday(Year) + day(Year)
  drop Year
  encode Origin as ordinal
  filter Horsepower > 0 or is_missing(Horsepower)
}
split parts from t { train: 80%, test: 20%, seed: 9 }
model m from parts.train { target: Miles_per_Gallon, algorithm: ${algorithm} }`;

for (const [name, text] of [
  ...classifierKinds(penguinsWithIf),
  ['gradient boosting regression with native missing values, text and date functions', cars('gradient_boosting')],
  ['random forest regression', cars('random_forest(trees: 10)').replace('filter', 'impute Horsepower with mean\n  filter')],
  ['linear regression', cars('linear_regression').replace('filter', 'impute Horsepower with median\n  filter')],
] as const) {
  test(`Python export: ${name}`, async () => agree(text, 'm', name.replace(/[^a-z]+/g, '_')));
}

test('an incomplete expression is named in the Python export error', async () => {
  const { tm } = await trained(cars('linear_regression').replace('filter', 'impute Horsepower with median\n  filter'), 'm', dir);
  const steps = tm.steps.map((s) => (s.kind === 'derive' && s.column === 'age' ? { ...s, expr: { ...s.expr, kind: 'Call' as const, callee: { name: 'abs' }, args: [{}] } } as typeof s : s));
  assert.throws(() => exportPipelineToPython({ name: 'm', inputColumns: tm.info.inputColumns, steps, model: saveModel(tm.model!) }), (e: unknown) => e instanceof PythonExportError && /derive age/.test(e.message) && /incomplete/.test(e.message));
});

for (const [name, text] of [
  ['kNN classifier with the training rows embedded', penguinsWithIf('knn(k: 7)')],
  ['kNN regression', cars('knn(k: 4)').replace('filter', 'impute Horsepower with median\n  filter')],
  ['naive Bayes', cancer('naive_bayes')],
] as const) {
  test(`Python export: ${name}`, async () => agree(text, 'm', name.replace(/[^a-z]+/gi, '_')));
}

test('narml run writes the .py export, and the module scores a CSV as the run\'s predict does', () => {
  ensureBuilt();
  const dir = sample('penguins');
  const file = join(dir, 'penguins.narml');
  const text = readFileSync(file, 'utf8').replace(/model species_forest[\s\S]*$/, `predict field_survey with species_logistic from "data/new-penguins.csv" {
  output: "out/species.csv"
}
export species_logistic to "models/score.py"
`);
  writeFileSync(file, text);
  const run = narml(['run', 'penguins.narml', '--json'], dir);
  assert.equal(run.status, 0, run.stderr);
  const lines = readFileSync(join(dir, 'out', 'species.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const scored = spawnSync(py, [join(dir, 'models', 'score.py'), join(dir, 'data', 'new-penguins.csv'), '', 'NA', '.'], { encoding: 'utf8' });
  assert.equal(scored.status, 0, scored.stderr);
  const ours = scored.stdout.trim().split('\n').map((l) => JSON.parse(l) as Scored);
  assert.equal(ours.length, lines.length - 1);
  const at = header.indexOf('prediction');
  ours.forEach((o, i) => {
    const cells = lines[i + 1].split(',');
    assert.equal(o.label, cells[at], `row ${i}`);
    o.probabilities!.forEach((p, c) => assert.ok(Math.abs(p - Number(cells[at + 1 + c])) <= 1e-9, `row ${i} class ${c}: ${p} vs ${cells[at + 1 + c]}`));
  });
});

test('check: .py exports of single, calibrated and ensemble models are all fine', async () => {
  const base = `dataset bc from "${data}/breast_cancer.csv"
split parts from bc { train: 75%, test: 25%, seed: 5 }
model a from parts.train { target: diagnosis, algorithm: knn }
model b from parts.train { target: diagnosis, algorithm: naive_bayes, calibrate: sigmoid }
model v from parts.train { target: diagnosis, ensemble: voting(of: [a, b]) }
model s from parts.train { target: diagnosis, ensemble: stacking(of: [a, b], passthrough: true) }
`;
  const file = join(dir, 'check.narml');
  const text = `${base}export a to "a.py"\nexport b to "b.py"\nexport v to "v.py"\nexport s to "s.py"\n`;
  writeFileSync(file, text);
  const errors = (await checkWithFullSchemas(text, file)).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
  assert.deepEqual(errors, []);
});
