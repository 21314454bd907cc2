// The plot data an evaluation carries for the Metrics panel: ROC, precision-recall and
// reliability curves (one per class for more than two classes), residuals for regression; exact
// on the scored rows (the curves' areas are the reported metrics) and thinned to CURVE_POINTS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import { CURVE_POINTS, type RunJson } from '../../server/src/contracts/cli-json';
import { runPipeline } from '../../server/src/runner/run-pipeline';
import { regressionCurves, thinIndices } from '../../server/src/runner/evaluation-curves';

async function runOn(data: string, text: string): Promise<RunJson> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-curves-'));
  copyFileSync(join(__dirname, '..', 'fixtures', 'data', data), join(dir, data));
  const file = join(dir, 'p.narml');
  writeFileSync(file, text);
  const checked = await checkWithFullSchemas(text, file);
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  return runPipeline(checked);
}

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('a binary classifier: one ROC, PR and reliability curve for the positive class, their areas the reported metrics', async () => {
  const r = await runOn('breast_cancer.csv', `dataset d from "breast_cancer.csv"
split p from d { train: 70%, test: 30%, stratify: diagnosis, seed: 3 }
model lr from p.train { target: diagnosis, algorithm: logistic_regression }
evaluate lr on p.test { metrics: [roc_auc, accuracy] }`);
  const e = Object.values(r.evaluations)[0];
  const c = e.curves!;
  assert.equal(c.roc!.length, 1);
  assert.ok(['B', 'M', 'benign', 'malignant'].includes(c.roc![0].label), c.roc![0].label);
  close(c.roc![0].auc, e.metrics.roc_auc);
  const { fpr, tpr } = c.roc![0];
  assert.deepEqual([fpr[0], tpr[0], fpr.at(-1), tpr.at(-1)], [0, 0, 1, 1]);
  const pr = c.pr![0];
  assert.deepEqual([pr.recall[0], pr.precision[0], pr.recall.at(-1)], [0, 1, 1]);
  assert.ok(pr.averagePrecision > 0.9 && pr.averagePrecision <= 1, `AP ${pr.averagePrecision}`);
  const cal = c.calibration![0];
  assert.equal(cal.count.reduce((a, b) => a + b, 0), e.rows, 'every scored row is in one bin');
  assert.ok(cal.predicted.every((p, i) => i === 0 || p > cal.predicted[i - 1]), 'bins in order of probability');
  assert.equal(c.residuals, undefined);
});

test('more classes: one-vs-rest curves per class, the mean of their AUCs the macro roc_auc', async () => {
  const r = await runOn('iris.csv', `dataset iris from "iris.csv"
split p from iris { train: 70%, test: 30%, stratify: species, seed: 2 }
model lr from p.train { target: species, algorithm: logistic_regression }
evaluate lr on p.test { metrics: [roc_auc] }`);
  const e = Object.values(r.evaluations)[0];
  const roc = e.curves!.roc!;
  assert.deepEqual(roc.map((c) => c.label), ['setosa', 'versicolor', 'virginica']);
  close(roc.reduce((a, c) => a + c.auc, 0) / 3, e.metrics.roc_auc);
  assert.deepEqual(e.curves!.pr!.map((c) => c.prevalence.toFixed(4)), ['0.3333', '0.3333', '0.3333']);
  assert.equal(e.curves!.calibration!.length, 3);
});

test('regression: residuals of at most CURVE_POINTS rows, the largest residuals and both ends of the predictions among them', async () => {
  const r = await runOn('diabetes.csv', `dataset d from "diabetes.csv"
split p from d { train: 30%, test: 70%, seed: 5 }
model lin from p.train { target: progression, algorithm: linear_regression }
evaluate lin on p.test { metrics: [rmse] }`);
  const e = Object.values(r.evaluations)[0];
  const res = e.curves!.residuals!;
  assert.equal(res.rows, e.rows);
  assert.ok(e.rows! > CURVE_POINTS, `${e.rows} rows`);
  assert.ok(res.predicted.length <= CURVE_POINTS && res.predicted.length >= CURVE_POINTS * 0.9, `${res.predicted.length} points`);
  assert.deepEqual(e.curves!.roc, undefined);
  // The exact figures, from all rows, for the kept ones.
  const y = Float64Array.from([3, 1, 4, 1, 5, 9, 2, 6]);
  const pred = Float64Array.from([2.5, 1, 4, 2, 5, 3, 2, 6]);
  const small = regressionCurves(y, pred).residuals!;
  assert.deepEqual(small.predicted, [1, 2, 2, 2.5, 3, 4, 5, 6]);
  assert.ok(small.residual.includes(6), 'the largest residual (9 − 3)');
});

test('thinning keeps both ends and the extremes, at most the cap, evenly along the curve', () => {
  const n = 10_000;
  const xs = Array.from({ length: n }, (_, i) => Math.floor(i / 2) / (n / 2));
  const ys = Array.from({ length: n }, (_, i) => Math.ceil(i / 2) / (n / 2));
  ys[4321] = 2; // a spike
  const idx = thinIndices(xs, ys, 200);
  assert.equal(idx.length, 200);
  assert.equal(new Set(idx).size, 200);
  assert.equal(idx[0], 0);
  assert.equal(idx.at(-1), n - 1);
  assert.ok(idx.includes(4321), 'the maximum survives');
  assert.deepEqual(thinIndices([0, 1], [0, 1], 200), [0, 1]);
});
