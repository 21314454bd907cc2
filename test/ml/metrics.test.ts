// Metrics and comparison tests against values from scikit-learn's documentation examples and
// closed forms (Student t with 1 and 2 degrees of freedom, exact binomial).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics, binaryAuc, calibrationCurve, precisionRecallCurve, rocCurve } from '../../server/src/ml/metrics';
import { mcnemar, studentTwoSided } from '../../server/src/ml/compare-tests';
import { kFoldIndices } from '../../server/src/ml/cross-validation';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);
const i32 = (v: number[]) => Int32Array.from(v);

test('regression metrics match the scikit-learn doc examples', () => {
  const m = computeMetrics(['rmse', 'mae', 'r2', 'mape'], {
    task: 'regression', yTrue: Float64Array.from([3, -0.5, 2, 7]), yPred: Float64Array.from([2.5, 0, 2, 8]),
  });
  close(m.rmse, Math.sqrt(0.375));
  close(m.mae, 0.5);
  close(m.r2, 0.9486081370449679);
  close(m.mape, 0.3273809523809524);
});

test('multiclass macro and weighted averages match the scikit-learn doc example', () => {
  const m = computeMetrics(['precision', 'recall', 'f1', 'f1_weighted', 'accuracy'], {
    task: 'classification', yTrue: i32([0, 1, 2, 0, 1, 2]), yPred: i32([0, 2, 1, 0, 0, 1]), nClasses: 3,
  });
  close(m.precision, 0.2222222222222222);
  close(m.recall, 0.3333333333333333);
  close(m.f1, 0.26666666666666666);
  close(m.f1_weighted, 0.26666666666666666);
  close(m.accuracy, 2 / 6);
});

test('balanced accuracy and binary scores use the positive class', () => {
  const m = computeMetrics(['balanced_accuracy', 'precision', 'recall'], {
    task: 'classification', yTrue: i32([0, 1, 0, 0, 1, 0]), yPred: i32([0, 1, 0, 0, 0, 1]), nClasses: 2, positiveIndex: 1,
  });
  close(m.balanced_accuracy, 0.625);
  close(m.precision, 0.5);
  close(m.recall, 0.5);
});

test('roc_auc matches scikit-learn, ties counted as one half', () => {
  close(binaryAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
  close(binaryAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]), 0.875);
  const c = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
  assert.deepEqual(c.fpr, [0, 0, 0.5, 0.5, 1]);
  assert.deepEqual(c.tpr, [0, 0.5, 0.5, 1, 1]);
});

test('the precision-recall curve and average precision are scikit-learn\'s (its doc example, highest threshold first)', () => {
  const c = precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
  assert.deepEqual(c.recall, [0, 0.5, 0.5, 1, 1]);
  assert.deepEqual(c.precision.map((p) => +p.toFixed(8)), [1, 1, 0.5, 0.66666667, 0.5]);
  close(c.averagePrecision, 0.8333333333333333, 1e-12);
});

test('the reliability curve bins probabilities as scikit-learn\'s calibration_curve (uniform bins, an edge goes to the lower bin)', () => {
  const c = calibrationCurve([0, 0, 0, 0, 1, 1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.0], 3);
  assert.deepEqual(c.observed, [0, 0.5, 1]);
  assert.deepEqual(c.predicted.map((p) => +p.toFixed(12)), [0.2, 0.525, 0.85]);
  assert.deepEqual(c.count, [3, 2, 4]);
  // numpy.linspace puts the 4th edge of 10 bins at 0.30000000000000004: 0.3 is in the third bin, 0.1 in the first.
  assert.deepEqual(calibrationCurve([1, 0, 1], [0.3, 0.1, 0.30000000000000004 + 1e-12]).count, [1, 1, 1]);
  assert.deepEqual(calibrationCurve([1, 0, 1], [0.3, 0.1, 0.30000000000000004 + 1e-12]).predicted.map((p) => +p.toFixed(6)), [0.1, 0.3, 0.3]);
});

test('log_loss matches the scikit-learn doc example', () => {
  const m = computeMetrics(['log_loss'], {
    task: 'classification', yTrue: i32([1, 0, 0, 1]), yPred: i32([1, 0, 0, 1]), nClasses: 2, positiveIndex: 1,
    proba: Float64Array.from([0.1, 0.9, 0.9, 0.1, 0.8, 0.2, 0.35, 0.65]),
  });
  close(m.log_loss, 0.21616187468057912, 1e-12);
});

test('Student t two-sided p-values equal the closed forms for 1 and 2 degrees of freedom', () => {
  for (const t of [0.3, 1, 2.5, 7]) {
    close(studentTwoSided(t, 1), 1 - (2 / Math.PI) * Math.atan(t), 1e-10);
    close(studentTwoSided(t, 2), 1 - t / Math.sqrt(2 + t * t), 1e-10);
  }
});

test('McNemar with few discordant pairs is the exact binomial test', () => {
  // A right / B wrong once, A wrong / B right five times: p = 2 * (1 + 6) / 64.
  const a = Uint8Array.from([1, 0, 0, 0, 0, 0, 1, 1]);
  const b = Uint8Array.from([0, 1, 1, 1, 1, 1, 1, 1]);
  close(mcnemar(a, b).pValue, 14 / 64, 1e-12);
});

test('stratified k-fold keeps every fold balanced and is deterministic', () => {
  const y = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
  const folds = kFoldIndices(100, 5, 7, y);
  assert.deepEqual(Array.from(folds), Array.from(kFoldIndices(100, 5, 7, y)));
  for (let f = 0; f < 5; f++) {
    let n = 0, pos = 0;
    for (let i = 0; i < 100; i++) if (folds[i] === f) { n++; pos += y[i]; }
    assert.equal(n, 20);
    assert.equal(pos, 4);
  }
});

// A rare class the model learned that the scored rows neither hold nor get predicted (a class of
// one row that the split put in the training part). Reference values from scikit-learn 1.2:
// precision/recall/f1_score(average='macro'), log_loss(labels=[0, 1, 2, 3]), roc_auc_score raises.
test('a class in neither the scored rows nor the predictions counts for nothing, as scikit-learn', () => {
  const proba = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0.2, 0.8, 0, 0, 0.9, 0, 0.1, 0, 0.6, 0.2, 0.2, 0]);
  const m = computeMetrics(['precision', 'recall', 'f1', 'log_loss', 'roc_auc'], {
    task: 'classification', yTrue: i32([0, 1, 0, 1, 0, 2]), yPred: i32([0, 1, 1, 1, 0, 0]), nClasses: 4, proba,
  });
  close(m.precision, 0.4444444444444444);
  close(m.recall, 0.5555555555555555);
  close(m.f1, 0.48888888888888893);
  close(m.log_loss, 6.330265894753882, 1e-9);
  assert.ok(Number.isNaN(m.roc_auc), `roc_auc ${m.roc_auc}: scikit-learn raises when a class has no scored row`);
});

test('r2 of a perfect prediction of a constant target is 1, as scikit-learn', () => {
  const y = Float64Array.from([2, 2, 2]);
  assert.equal(computeMetrics(['r2'], { task: 'regression', yTrue: y, yPred: y }).r2, 1);
  assert.equal(computeMetrics(['r2'], { task: 'regression', yTrue: y, yPred: Float64Array.from([2, 2, 3]) }).r2, 0);
});
