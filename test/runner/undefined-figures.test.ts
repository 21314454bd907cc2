// A figure the rows cannot define is an error with the reason, never a number: roc_auc over rows
// of one class (it was reported as 0), cross-validation with more folds than rows (it reported
// null means). An evaluation scores the rows its table keeps (a filter on a split part counts),
// and rows of a class the model never trained on are reported, not silently dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { runPipeline } from '../../server/src/runner/run-pipeline';
import { computeMetrics } from '../../server/src/ml/metrics';

/** Checks (it must check clean) and runs `text` in a fresh folder holding iris.csv, with `extraRows` appended to it. */
async function runOnIris(text: string, extraRows = ''): Promise<RunJson> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-undefined-'));
  writeFileSync(join(dir, 'iris.csv'), `${readFileSync(join(__dirname, '..', 'fixtures', 'data', 'iris.csv'), 'utf8').trimEnd()}\n${extraRows}`);
  const file = join(dir, 'p.narml');
  writeFileSync(file, text);
  const checked = await checkWithFullSchemas(text, file);
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  return runPipeline(checked);
}

async function run(body: string): Promise<RunJson> {
  return runOnIris(`dataset iris from "iris.csv"
split p from iris { train: 70%, test: 30%, stratify: species, seed: 2 }
model lr from p.train { target: species, algorithm: logistic_regression }
${body}`);
}

/** Iris plus one "hybrid" row, which seed 7 (no stratification) puts in the test part: a class the model never trains on. */
function runWithUnseenClass(metrics: string): Promise<RunJson> {
  return runOnIris(`dataset iris from "iris.csv"
split p from iris { train: 70%, test: 30%, seed: 7 }
model lr from p.train { target: species, algorithm: logistic_regression }
evaluate lr on p.test { metrics: [${metrics}] }`, '5.0,3.0,1.5,0.2,hybrid\n');
}

test('multiclass roc_auc over rows of one class is undefined, not 0', () => {
  const m = computeMetrics(['roc_auc', 'accuracy'], {
    task: 'classification', yTrue: Float64Array.of(0, 0, 0), yPred: Float64Array.of(0, 0, 1), nClasses: 3,
    proba: Float64Array.of(0.8, 0.1, 0.1, 0.6, 0.2, 0.2, 0.3, 0.6, 0.1),
  });
  assert.ok(Number.isNaN(m.roc_auc), `roc_auc ${m.roc_auc}`);
  assert.equal(m.accuracy, 2 / 3);
});

test('an evaluation scores only the rows its table keeps', async () => {
  const r = await run(`transform long_petals from p.test { filter petal_length_cm > 4 }
evaluate lr on long_petals { metrics: [accuracy] }
evaluate lr on p.test { metrics: [accuracy] }`);
  assert.equal(r.status, 'succeeded', r.error);
  assert.equal(r.evaluations.lr_on_p_test.rows, 45);
  const kept = r.evaluations.lr_on_long_petals.rows!;
  assert.ok(kept > 0 && kept < 30, `rows with petal length > 4 in the test part: ${kept}`);
});

test('evaluating roc_auc on rows of one class fails the run and names the class', async () => {
  const r = await run(`transform setosa_test from p.test { filter species == "setosa" }
evaluate lr on setosa_test { metrics: [accuracy, roc_auc] }`);
  assert.equal(r.status, 'failed');
  assert.match(r.error ?? '', /roc_auc is not defined on the 15 scored rows of "setosa_test": they hold only the class "setosa"/);
});

test('cross-validation with more folds than training rows fails with the counts', async () => {
  // A filter before the split hides the count from the checker: the run refuses it.
  const r = await run(`transform measured from iris { filter sepal_length_cm > 0 }
split small from measured { train: 40%, test: 60%, stratify: species, seed: 1 }
model small_lr from small.train { target: species, algorithm: logistic_regression }
evaluate small_lr on small.test { cv: 100 }`);
  assert.equal(r.status, 'failed');
  assert.match(r.error ?? '', /cv: 100 needs at least 100 training rows, but "small.train" has 60/);
});

test('without a row step the check counts the training rows and refuses the folds first (NML116)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-undefined-'));
  copyFileSync(join(__dirname, '..', 'fixtures', 'data', 'iris.csv'), join(dir, 'iris.csv'));
  const text = `dataset iris from "iris.csv"
split small from iris { train: 40%, test: 60%, stratify: species, seed: 1 }
model small_lr from small.train { target: species, algorithm: logistic_regression }
evaluate small_lr on small.test { cv: 100 }`;
  const found = (await checkWithFullSchemas(text, join(dir, 'p.narml'))).diagnostics.map((d) => `${d.code} ${d.message}`);
  assert.deepEqual(found, ['NML116 cv: 100 folds need at least 100 training rows, but "small.train" holds 60; lower cv to at most 60']);
});

test('rows of a class the model never trained on count as wrong, as scikit-learn counts them, and the run says so', async () => {
  const r = await runWithUnseenClass('accuracy, f1, balanced_accuracy');
  assert.equal(r.status, 'succeeded', r.error);
  const ev = r.evaluations.lr_on_p_test;
  assert.deepEqual(ev.confusion?.labels, ['setosa', 'versicolor', 'virginica', 'hybrid'], 'the classes of the training rows, then the unseen one');
  assert.equal(ev.rows, 46, 'every test row is scored, the hybrid one too');
  const m = ev.confusion!.matrix;
  assert.deepEqual(m[3].slice(0, 3).reduce((a, b) => a + b, 0), 1, 'the hybrid row is predicted as one of the known classes');
  assert.deepEqual(m.map((row) => row[3]), [0, 0, 0, 0], 'the model never predicts the unseen class');
  // scikit-learn: accuracy_score counts the row wrong; f1_score(average="macro") and
  // balanced_accuracy_score include the unseen label with f1 and recall 0.
  const right = m[0][0] + m[1][1] + m[2][2];
  assert.equal(ev.metrics.accuracy, right / 46);
  const f1 = [0, 1, 2].map((c) => {
    const tp = m[c][c], predicted = m.reduce((a, row) => a + row[c], 0), actual = m[c].reduce((a, b) => a + b, 0);
    return tp === 0 ? 0 : (2 * tp) / (predicted + actual);
  });
  assert.ok(Math.abs(ev.metrics.f1 - (f1[0] + f1[1] + f1[2] + 0) / 4) < 1e-12, `macro f1 over four labels: ${ev.metrics.f1}`);
  const recall = [0, 1, 2].map((c) => m[c][c] / m[c].reduce((a, b) => a + b, 0));
  assert.ok(Math.abs(ev.metrics.balanced_accuracy - (recall[0] + recall[1] + recall[2] + 0) / 4) < 1e-12);
  assert.ok(r.warnings?.some((w) => /1 rows of "p.test" hold a class the model was not trained on \("hybrid"\); they count as wrong predictions/.test(w)), JSON.stringify(r.warnings));
});

test('roc_auc over a class the model never trained on is refused with the reason, as scikit-learn raises', async () => {
  const r = await runWithUnseenClass('accuracy, roc_auc');
  assert.equal(r.status, 'failed');
  assert.match(r.error ?? '', /roc_auc is not defined on the 46 scored rows of "p.test": they hold "hybrid", a class the model was not trained on/);
});
