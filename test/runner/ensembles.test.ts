// Stacking, blending and calibrated models through a whole run on real data (breast cancer,
// iris): members with their own transforms, evaluation, comparison, prediction to a file, and the
// stored models reused by a second run with the same figures. The figures themselves are checked
// against scikit-learn in test/ml/ensembles.test.ts and test/runner/sklearn-agreement.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { runPipeline } from '../../server/src/runner/run-pipeline';
import { readRegistry } from '../../server/src/store/registry';

const data = join(__dirname, '..', 'fixtures', 'data');
const cancerHeader = readFileSync(join(data, 'breast_cancer.csv'), 'utf8').split('\n')[0].split(',');
const cancerFeatures = cancerHeader.slice(0, -1);

async function run(dir: string, text: string): Promise<RunJson> {
  const file = join(dir, 'ensembles.narml');
  writeFileSync(file, text);
  const checked = await checkWithFullSchemas(text, file);
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  return runPipeline(checked);
}

const cancer = `dataset cancer from "breast_cancer.csv"
split parts from cancer { train: 70%, test: 30%, stratify: diagnosis, seed: 3 }
transform scaled from parts.train {
  scale ${cancerFeatures.join(', ')} with standard
}
model lr from scaled { target: diagnosis, algorithm: logistic_regression }
model nb from parts.train {
  target: diagnosis
  algorithm: naive_bayes
  calibrate: isotonic(cv: 3)
}
model stack from parts.train { target: diagnosis, ensemble: stacking(of: [lr, nb]) }
model blend from parts.train { target: diagnosis, ensemble: blending(of: [lr, nb], holdout: 25%, final: gradient_boosting, passthrough: true) }
evaluate stack on parts.test { metrics: [accuracy, roc_auc, log_loss] }
evaluate blend on parts.test { metrics: [accuracy, roc_auc, log_loss] }
evaluate nb on parts.test { metrics: [accuracy, roc_auc, log_loss] }
compare stack, blend on parts.test { metric: log_loss }
predict scored with stack from "new.csv" { output: "out/scored.csv" }
predict blended with blend from "new.csv" { output: "out/blended.csv" }
`;

test('stacking and blending (with passed-through features) of members with their own transforms train, score, predict and are reused with the same figures', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-ensembles-'));
  copyFileSync(join(data, 'breast_cancer.csv'), join(dir, 'breast_cancer.csv'));
  const rows = readFileSync(join(data, 'breast_cancer.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'new.csv'), `${cancerFeatures.join(',')}\n${rows.slice(1, 41).map((r) => r.split(',').slice(0, -1).join(',')).join('\n')}\n`);
  const first = await run(dir, cancer);
  assert.equal(first.status, 'succeeded', first.error);
  const trainRows = first.models.lr.trainRows;
  // Two classes: each member gives the final model its probability of the positive class.
  assert.deepEqual(first.models.stack.features, ['lr_malignant', 'nb_malignant']);
  assert.equal(first.models.stack.algorithm, 'stacking');
  assert.deepEqual(first.models.stack.options, { of: ['lr', 'nb'], final: 'logistic_regression', cv: 5, passthrough: false });
  assert.equal(first.models.stack.trainRows, trainRows);
  assert.deepEqual(first.models.blend.options, { of: ['lr', 'nb'], final: 'gradient_boosting', holdout: 0.25, passthrough: true });
  // Passed through: the ensemble's own columns (unscaled, from its own table) after the members' predictions.
  assert.deepEqual(first.models.blend.features, ['lr_malignant', 'nb_malignant', ...cancerFeatures]);
  assert.equal(first.models.nb.options.calibrate, 'isotonic(cv: 3)');
  for (const name of ['stack', 'blend', 'nb']) {
    const m = first.evaluations[`${name}_on_parts_test`].metrics;
    assert.ok(m.accuracy > 0.9 && m.roc_auc > 0.95, `${name}: ${JSON.stringify(m)}`);
    // The curves come from the ensemble's (or calibrated model's) own probabilities.
    const roc = first.evaluations[`${name}_on_parts_test`].curves?.roc?.[0];
    assert.ok(roc && Math.abs(roc.auc - m.roc_auc) < 1e-9, `${name}: ROC curve with the reported auc`);
  }
  const comparison = Object.values(first.comparisons)[0];
  assert.deepEqual(Object.keys(comparison.scores).sort(), ['blend', 'stack']);
  assert.ok(Number.isFinite(comparison.p_value));
  const predicted = readFileSync(join(dir, 'out', 'scored.csv'), 'utf8').trim().split('\n');
  assert.equal(predicted.length, 41);
  assert.equal(readFileSync(join(dir, 'out', 'blended.csv'), 'utf8').trim().split('\n').length, 41);

  // The registry versions the members and the ensembles (an ensemble's version names its members' artifacts).
  const versions = readRegistry(join(dir, 'ensembles.narml')).versions;
  assert.deepEqual(versions.map((v) => v.model).sort(), ['blend', 'lr', 'nb', 'stack']);

  const second = await run(dir, cancer);
  assert.equal(second.status, 'succeeded', second.error);
  for (const name of ['lr', 'nb', 'stack', 'blend']) assert.ok(second.reused.includes(name), `${name} reused: ${second.reused.join(', ')}`);
  assert.deepEqual(readRegistry(join(dir, 'ensembles.narml')).versions.map((v) => `${v.model} ${v.version} ${v.hash}`), versions.map((v) => `${v.model} ${v.version} ${v.hash}`), 'reused ensembles are the same versions');
  // Restored from the store (blending with its own member fits), every figure is the same.
  for (const name of ['stack', 'blend', 'nb']) assert.deepEqual(second.evaluations[`${name}_on_parts_test`].metrics, first.evaluations[`${name}_on_parts_test`].metrics);
  assert.equal(readFileSync(join(dir, 'out', 'scored.csv'), 'utf8').trim().split('\n').length, 41);
});

test('a class with fewer training rows than calibrate folds fails the run with the class and the fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-calibrate-'));
  copyFileSync(join(data, 'iris.csv'), join(dir, 'iris.csv'));
  const result = await run(dir, `dataset iris from "iris.csv"
transform few from iris { filter species != "setosa" or sepal_length_cm < 4.5 }
model m from few {
  target: species
  algorithm: naive_bayes
  calibrate: sigmoid(cv: 5)
}
`);
  assert.equal(result.status, 'failed');
  assert.match(result.error ?? '', /model m: calibrate: sigmoid\(cv: 5\) .* the class "setosa" has 4 training rows .* lower cv/);
});
