// Whole pipelines exported as PMML 4.4: xmllint validates each file against the DMG's schema
// (test/fixtures/pmml), and an evaluator written from the PMML specification (pmml-evaluator.ts)
// scores the test rows as the runner does: labels equal, probabilities and values within 1e-9,
// no prediction where the runner leaves one empty.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { exportPipelineToPmml, PmmlExportError, doubleThreshold } from '../../server/src/export/pmml-export';
import { exportedPart } from '../../server/src/runner/export-step';
import { predictPrepared } from '../../server/src/runner/scoring';
import { classifierKinds, csvCells, data, penguins, rowsOf, trained } from './trained-pipeline';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, sample } from '../helpers/cli';
import { parseXml, scorePmml } from './pmml-evaluator';

const dir = mkdtempSync(join(tmpdir(), 'narml-pmml-'));
const xsd = join(__dirname, '..', 'fixtures', 'pmml', 'pmml-4-4.xsd');

// Installed before the tests by scripts/setup-system.mjs (Debian package libxml2-utils).
before(() => {
  const r = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `xmllint is missing: run \`node scripts/setup-system.mjs\` as root (Debian package libxml2-utils)`);
});

async function agree(text: string, tag: string, unscored = false): Promise<void> {
  const { tm, test } = await trained(text, 'm', dir);
  const pmml = exportPipelineToPmml(exportedPart('m', tm));
  const path = join(dir, `${tag}.pmml`);
  writeFileSync(path, pmml);
  const valid = spawnSync('xmllint', ['--noout', '--schema', xsd, path], { encoding: 'utf8' });
  assert.equal(valid.status, 0, valid.stderr);
  const doc = parseXml(pmml);
  const ours = predictPrepared(tm, test, 'predict');
  const classes = tm.info.classes;
  const rows = rowsOf(test);
  let scored = 0;
  rows.forEach((row, i) => {
    const out = scorePmml(doc, row);
    if (!ours.usable[i]) { assert.equal(out, null, `row ${i}: the runner cannot score it`); return; }
    assert.ok(out, `row ${i}: no PMML prediction`);
    scored++;
    if (classes) {
      assert.equal(out.label, classes[ours.pred[i]], `row ${i}: label`);
      classes.forEach((_, c) => assert.ok(Math.abs(out.probabilities![c] - ours.proba![i * classes.length + c]) <= 1e-9, `row ${i} class ${c}: ${out.probabilities![c]} vs ${ours.proba![i * classes.length + c]}`));
    } else assert.ok(Math.abs(Number(out.label) - ours.pred[i]) <= 1e-9 * Math.max(1, Math.abs(ours.pred[i])), `row ${i}: ${out.label} vs ${ours.pred[i]}`);
  });
  assert.ok(scored > 10, `only ${scored} rows scored`);
  if (unscored) assert.ok(scored < rows.length, 'every row was scored: the test meant some not to be');
}

// Cars without its text and date columns (PMML's export reads numbers and categories), with an
// ordinal code, gaps left in Horsepower for the models that take them, and numeric derives.
const cars = (algorithm: string, impute = true, extra = ''): string => `dataset cars from "${data}/cars.csv" { columns { Name: text } }
transform t from cars {
  drop Name, Year
  drop_missing Miles_per_Gallon
  ${impute ? 'impute Horsepower with median' : ''}
  encode Origin as ordinal
  derive power = log(Horsepower) * sqrt(Weight_in_lbs) / max(Cylinders, 4, abs(-3))
  derive spread = -Acceleration + min(Displacement, 300) - 2${extra}
}
split parts from t { train: 80%, test: 20%, seed: 9 }
model m from parts.train { target: Miles_per_Gallon, algorithm: ${algorithm} }`;

for (const [name, text] of [
  ...classifierKinds(penguins),
  ['gradient boosting regression with missing values left in', cars('gradient_boosting(rounds: 30)', false)],
  ['random forest regression', cars('random_forest(trees: 10)')],
  ['decision tree regression', cars('decision_tree(max_depth: 6)')],
  // 1 / 0 is missing in both: the rows with 4 cylinders are left unscored.
  ['linear regression with rows left unscored', cars('linear_regression', true, '\n  derive inverse = 1 / (Cylinders - 4)')],
] as const) {
  test(`PMML export: ${name}`, async () => agree(text, name.replace(/[^a-z]+/gi, '_'), name.includes('unscored')));
}

test('a tree threshold in doubles splits every double as the runner\'s float32 comparison does', () => {
  for (const t of [0.1, 1.5, -2.75, 1e-30, 123456.789, 0, -0.3, 3.4028234663852886e38, Number.MAX_VALUE]) {
    const d = doubleThreshold(t);
    // The doubles around d, and values around t itself.
    const near = [d, d * (1 + 2 ** -52), d * (1 - 2 ** -52), t, Math.fround(t), d + 1e-300, d - 1e-300];
    for (const x of near) assert.equal(x <= d, Math.fround(x) <= t, `t=${t} x=${x} d=${d}`);
  }
});

test('a step or model PMML cannot hold is named: in the exporter\'s error and by check (NML118)', async () => {
  const { tm } = await trained(cars('linear_regression'), 'm', dir);
  const withCast = { ...exportedPart('m', tm), steps: [{ kind: 'cast' as const, column: 'Cylinders', to: 'text' as const }, ...tm.steps] };
  assert.throws(() => exportPipelineToPmml(withCast), (e: unknown) => e instanceof PmmlExportError && /cast Cylinders/.test(e.message) && /\.py/.test(e.message));
  const base = `dataset bc from "${data}/breast_cancer.csv"
split parts from bc { train: 75%, test: 25%, seed: 5 }
model lr from parts.train { target: diagnosis, algorithm: logistic_regression }
model k from parts.train { target: diagnosis, algorithm: knn }
model cal from parts.train { target: diagnosis, algorithm: logistic_regression, calibrate: sigmoid }
model v from parts.train { target: diagnosis, ensemble: voting(of: [lr, k]) }
dataset cars from "${data}/cars.csv" { columns { Name: text } }
transform t from cars { derive m = month(Year) }
split cp from t { train: 80%, test: 20%, seed: 9 }
model dated from cp.train { target: Miles_per_Gallon, algorithm: linear_regression, features: [m, Weight_in_lbs] }
`;
  const file = join(dir, 'check.narml');
  const text = `${base}export lr to "lr.pmml"\nexport k to "k.pmml"\nexport cal to "cal.pmml"\nexport v to "v.pmml"\nexport dated to "dated.pmml"\n`;
  writeFileSync(file, text);
  const errors = (await checkWithFullSchemas(text, file)).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
  assert.equal(errors.length, 4, errors.join('\n'));
  assert.match(errors[0], /^NML118: "k" .*knn is not exported to PMML/);
  assert.match(errors[1], /^NML118: "cal" .*calibrated models .* PMML/);
  assert.match(errors[2], /^NML118: "v" .*voting ensembles are not exported to PMML/);
  assert.match(errors[3], /^NML118: "dated" cannot be exported to PMML: .*(month\(\)|Year is a date)/);
});

test('narml run writes the .pmml export, valid, and it scores new rows as the run\'s predict does', () => {
  ensureBuilt();
  const dir = sample('penguins');
  const file = join(dir, 'penguins.narml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/model species_forest[\s\S]*$/, `predict field_survey with species_logistic from "data/new-penguins.csv" {
  output: "out/species.csv"
}
export species_logistic to "models/species.pmml"
`));
  const run = narml(['run', 'penguins.narml', '--json'], dir);
  assert.equal(run.status, 0, run.stderr);
  const path = join(dir, 'models', 'species.pmml');
  const valid = spawnSync('xmllint', ['--noout', '--schema', xsd, path], { encoding: 'utf8' });
  assert.equal(valid.status, 0, valid.stderr);
  const doc = parseXml(readFileSync(path, 'utf8'));
  const input = readFileSync(join(dir, 'data', 'new-penguins.csv'), 'utf8').trim().split('\n').map(csvCells);
  const lines = readFileSync(join(dir, 'out', 'species.csv'), 'utf8').trim().split('\n').map(csvCells);
  const at = lines[0].indexOf('prediction');
  assert.equal(lines.length, input.length);
  for (let i = 1; i < input.length; i++) {
    // The dataset's missing: ["", "NA", "."] as the run reads them.
    const row = Object.fromEntries(input[0].map((name, j) => [name, ['', 'NA', '.'].includes(input[i][j]) ? null : input[i][j]]));
    const out = scorePmml(doc, row);
    assert.ok(out, `row ${i}: no PMML prediction`);
    assert.equal(out.label, lines[i][at], `row ${i}`);
    out.probabilities!.forEach((p, c) => assert.ok(Math.abs(p - Number(lines[i][at + 1 + c])) <= 1e-9, `row ${i} class ${c}: ${p} vs ${lines[i][at + 1 + c]}`));
  }
});
