// Ensembles and calibrated models exported as Python modules, end to end: `narml run` trains the
// pipeline, predicts a CSV and writes the module; Debian's python3 scores the same CSV with the
// module, and its labels equal the run's prediction file on every row (probabilities and values
// within 1e-9; a row the run leaves empty is None).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml } from '../helpers/cli';
import { csvCells, data, penguins } from './trained-pipeline';

const py = '/usr/bin/python3';

before(() => {
  const numpy = spawnSync(py, ['-c', 'import numpy'], { encoding: 'utf8' });
  assert.equal(numpy.status, 0, `numpy is missing for ${py} (${numpy.stderr.trim()}): install Debian's python3-numpy`);
  ensureBuilt();
});

/**
 * Runs `text` with a predict of `model` on `input` and an export of it to Python, then scores
 * `input` with the module and compares row by row.
 */
function agree(text: string, model: string, input: string, missing: string[], classes: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'narml-py-ens-'));
  writeFileSync(join(dir, 'p.narml'), `${text}
predict scored with ${model} from "${input}" { output: "out/scored.csv" }
export ${model} to "models/score.py"
`);
  const run = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(run.status, 0, run.stderr + run.stdout.slice(0, 2000));
  const lines = readFileSync(join(dir, 'out', 'scored.csv'), 'utf8').trim().split('\n');
  const header = csvCells(lines[0]);
  const at = header.indexOf('prediction');
  const scored = spawnSync(py, [join(dir, 'models', 'score.py'), input, ...missing], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(scored.status, 0, scored.stderr);
  const ours = scored.stdout.trim().split('\n').map((l) => JSON.parse(l) as { label: string | number | null; probabilities?: number[] });
  assert.equal(ours.length, lines.length - 1);
  let labelled = 0;
  ours.forEach((o, i) => {
    const row = csvCells(lines[i + 1]);
    assert.equal(row.length, header.length, `row ${i}: ${lines[i + 1]}`);
    if (row[at] === '') { assert.equal(o.label, null, `row ${i}: the run left it empty`); return; }
    labelled++;
    if (classes === 0) {
      const v = Number(row[at]);
      assert.ok(Math.abs(Number(o.label) - v) <= 1e-9 * Math.max(1, Math.abs(v)), `row ${i}: ${o.label} vs ${v}`);
      return;
    }
    assert.equal(o.label, row[at], `row ${i}`);
    assert.equal(o.probabilities!.length, classes);
    o.probabilities!.forEach((p, c) => assert.ok(Math.abs(p - Number(row[at + 1 + c])) <= 1e-9, `row ${i} class ${c}: ${p} vs ${row[at + 1 + c]}`));
  });
  assert.ok(labelled > 50, `only ${labelled} rows labelled`);
}

const cancer = (tail: string): string => `dataset bc from "${data}/breast_cancer.csv"
transform t from bc { scale mean_radius, mean_texture with robust }
split parts from t { train: 75%, test: 25%, stratify: diagnosis, seed: 5 }
model lr from parts.train { target: diagnosis, algorithm: logistic_regression(max_iter: 500) }
model rf from parts.train { target: diagnosis, algorithm: random_forest(trees: 15) }
model nb from parts.train { target: diagnosis, algorithm: naive_bayes }
model gb from parts.train { target: diagnosis, algorithm: gradient_boosting(rounds: 20) }
model m from parts.train { target: diagnosis, ${tail} }`;
const bc = `${data}/breast_cancer.csv`;

for (const [name, tail] of [
  ['soft voting', 'ensemble: voting(of: [lr, rf, nb])'],
  ['hard voting', 'ensemble: voting(of: [lr, rf, nb], soft: false)'],
  ['stacking with passthrough', 'ensemble: stacking(of: [lr, rf, gb], cv: 3, passthrough: true)'],
  ['blending with a forest as final model', 'ensemble: blending(of: [nb, gb], final: random_forest)'],
  ['sigmoid-calibrated boosting', 'algorithm: gradient_boosting(rounds: 20), calibrate: sigmoid'],
  ['isotonic-calibrated forest', 'algorithm: random_forest(trees: 10), calibrate: isotonic(cv: 3)'],
  ['isotonic-calibrated kNN', 'algorithm: knn(k: 5), calibrate: isotonic(cv: 3)'],
] as const) {
  test(`Python export, two classes: ${name}`, () => agree(cancer(tail), 'm', bc, [''], 2));
}

const penguinsMembers = (tail: string): string => penguins('logistic_regression').replace(/model m from[^\n]*$/, `model lr from parts.train { target: Species, algorithm: logistic_regression }
model gb from parts.train { target: Species, algorithm: gradient_boosting(rounds: 10) }
model nb from parts.train { target: Species, algorithm: naive_bayes }
model m from parts.train { target: Species, ${tail} }`);
const pg = `${data}/penguins.csv`;

for (const [name, tail] of [
  ['stacking with passthrough', 'ensemble: stacking(of: [lr, gb, nb], cv: 3, passthrough: true, final: gradient_boosting)'],
  ['hard voting', 'ensemble: voting(of: [lr, gb, nb], soft: false)'],
  ['isotonic-calibrated logistic regression', 'algorithm: logistic_regression, calibrate: isotonic(cv: 3)'],
  ['sigmoid-calibrated boosting', 'algorithm: gradient_boosting(rounds: 10), calibrate: sigmoid(cv: 3)'],
] as const) {
  test(`Python export, three classes: ${name}`, () => agree(penguinsMembers(tail), 'm', pg, ['', 'NA', '.'], 3));
}

const cars = (tail: string): string => `dataset cars from "${data}/cars.csv" { columns { Name: text } }
transform t from cars {
  drop Name
  drop_missing Miles_per_Gallon
  impute Horsepower with median
  encode Origin as onehot
  derive age = days_between(Year, date("1983-01-01"))
  drop Year
}
split parts from t { train: 80%, test: 20%, seed: 9 }
model lin from parts.train { target: Miles_per_Gallon, algorithm: linear_regression }
model rf from parts.train { target: Miles_per_Gallon, algorithm: random_forest(trees: 10) }
model m from parts.train { target: Miles_per_Gallon, ${tail} }`;

for (const [name, tail] of [
  ['voting', 'ensemble: voting(of: [lin, rf])'],
  ['stacking', 'ensemble: stacking(of: [lin, rf], cv: 3)'],
] as const) {
  test(`Python export, regression: ${name}`, () => agree(cars(tail), 'm', `${data}/cars.csv`, [''], 0));
}

test('Python export: a 0/1 column written as 0.0 and 1.0 is read as the run reads it (a boolean), and a stacking none of whose rows a member can score gives None', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-py-bool-'));
  // Iris with a column of 0.0 / 1.0 numbers, which the run types as boolean.
  const [head, ...lines] = readFileSync(join(data, 'iris.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'iris01.csv'), [`${head},long`, ...lines.map((l) => `${l},${Number(l.split(',')[2]) > 4 ? '1.0' : '0.0'}`)].join('\n') + '\n');
  const text = `dataset iris from "${join(dir, 'iris01.csv')}"
split parts from iris { train: 70%, test: 30%, stratify: species, seed: 4 }
model lr from parts.train { target: species, algorithm: logistic_regression }
model gb from parts.train { target: species, algorithm: gradient_boosting(rounds: 10) }
model m from parts.train { target: species, ensemble: stacking(of: [lr, gb], cv: 3, passthrough: true) }`;
  agree(text, 'lr', join(dir, 'iris01.csv'), [''], 3);
  agree(text, 'm', join(dir, 'iris01.csv'), [''], 3);
  // Rows without sepal_width: logistic regression scores none of them, so neither does the stacking.
  writeFileSync(join(dir, 'p.narml'), `${text}\nexport m to "m.py"\n`);
  const run = narml(['run', 'p.narml'], dir);
  assert.equal(run.status, 0, run.stderr);
  writeFileSync(join(dir, 'gaps.csv'), `${head},long\n5.1,,1.4,0.2,setosa,0.0\n6.3,,4.9,1.5,versicolor,1.0\n`);
  const scored = spawnSync(py, [join(dir, 'm.py'), join(dir, 'gaps.csv')], { encoding: 'utf8' });
  assert.equal(scored.status, 0, scored.stderr);
  assert.deepEqual(scored.stdout.trim().split('\n').map((l) => JSON.parse(l).label), [null, null]);
});
