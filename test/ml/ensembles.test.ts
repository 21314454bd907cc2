// Stacking, blending and calibration against scikit-learn on real data sets: same CSV files, same
// rows, same default folds; expected figures recorded by test/ml/reference/ensemble_reference.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fitCalibrated, fitIsotonic, fitSigmoid } from '../../server/src/ml/calibration';
import { sklearnFolds } from '../../server/src/ml/sklearn-folds';
import { computeMetrics } from '../../server/src/ml/metrics';
import type { FeatureMatrix, FittedModel, Target, TrainContext } from '../../server/src/ml/model-types';
import { getAlgorithm, restoreModel, saveModel } from '../../server/src/ml/registry';
import { blendMembers, memberOutput, outOfFoldFeatures, stackFeatures, type StackMember } from '../../server/src/ml/stacking';
import { loadFixtureSplit } from '../helpers/fixture-split';

/* eslint-disable @typescript-eslint/no-explicit-any */
const expected = JSON.parse(readFileSync(join(__dirname, 'reference', 'ensemble_expected.json'), 'utf8')) as Record<string, any>;
const ctx: TrainContext = { seed: 42 };

const fitter = (algorithm: string, options: Record<string, number> = {}) => (x: FeatureMatrix, t: Target, c: TrainContext): FittedModel => getAlgorithm(algorithm)!.fit(x, t, options, c);

/** The largest absolute difference between our row-major values and scikit-learn's rows. */
function maxDiff(ours: Float64Array, theirs: number[][] | number[]): number {
  const flat = (theirs as (number | number[])[]).flat();
  assert.equal(ours.length, flat.length);
  let d = 0;
  for (let i = 0; i < flat.length; i++) d = Math.max(d, Math.abs(ours[i] - flat[i]));
  return d;
}

const CLASSIFICATION = [['iris', 'species'], ['wine', 'cultivar'], ['breast_cancer', 'diagnosis']] as const;

for (const [dataset, target] of CLASSIFICATION) {
  const ref = expected[dataset];

  test(`default stratified folds on ${dataset} are scikit-learn's StratifiedKFold(5)`, () => {
    const d = loadFixtureSplit(dataset, target, true);
    assert.deepEqual(Array.from(sklearnFolds(d.train.nRows, 5, d.yTrain.y as Int32Array)), ref.folds);
  });

  test(`stacking kNN and naive Bayes under logistic regression on ${dataset} matches StackingClassifier`, () => {
    const d = loadFixtureSplit(dataset, target, true);
    const classes = (d.yTrain as { classes: string[] }).classes;
    const members: StackMember[] = [
      { name: 'knn', x: d.train, fit: fitter('knn', { k: 5 }) },
      { name: 'nb', x: d.train, fit: fitter('naive_bayes') },
    ];
    const fold = sklearnFolds(d.train.nRows, 5, d.yTrain.y as Int32Array);
    const oof = outOfFoldFeatures(members, d.yTrain, fold, 5, ctx);
    // kNN and naive Bayes are exact: the out-of-fold features are scikit-learn's cross_val_predict.
    const used = (rows: number[][]): number[][] => rows.map((r) => (classes.length === 2 ? r.slice(1) : r));
    for (const [j, key] of ['knn', 'nb'].entries()) {
      const width = classes.length === 2 ? 1 : classes.length;
      const ours = Float64Array.from({ length: d.train.nRows * width }, (_, i) => oof.columns[j * width + (i % width)][Math.floor(i / width)]);
      assert.ok(maxDiff(ours, used(ref.oof[key])) < 1e-9, `${key} out-of-fold probabilities differ from scikit-learn's`);
    }
    const final = getAlgorithm('logistic_regression')!.fit(oof, d.yTrain, { c: 1, max_iter: 200 }, ctx);
    // The members are refitted on every training row; the final model reads their test predictions.
    const refit = members.map((m) => m.fit(m.x, d.yTrain, ctx));
    const meta = stackFeatures(['knn', 'nb'], refit.map((m) => memberOutput(m, d.test, ctx)), d.test.nRows, classes);
    const proba = final.predictProba!(meta);
    assert.ok(maxDiff(proba, ref.stacking.proba) < 2e-3, `stacked probabilities differ from StackingClassifier's by ${maxDiff(proba, ref.stacking.proba)}`);
    const m = computeMetrics(['accuracy', 'log_loss'], { task: 'classification', yTrue: d.yTest.y, yPred: final.predict(meta), proba, nClasses: classes.length, positiveIndex: 1 });
    assert.equal(m.accuracy, ref.stacking.accuracy);
    assert.ok(Math.abs(m.log_loss - ref.stacking.log_loss) < 1e-3);
  });

  test(`blending kNN and naive Bayes on ${dataset} matches scikit-learn fitted on the same holdout`, () => {
    const d = loadFixtureSplit(dataset, target, true);
    const classes = (d.yTrain as { classes: string[] }).classes;
    const members: StackMember[] = [
      { name: 'knn', x: d.train, fit: fitter('knn', { k: 5 }) },
      { name: 'nb', x: d.train, fit: fitter('naive_bayes') },
    ];
    const holdout = Uint8Array.from({ length: d.train.nRows }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const blend = blendMembers(members, d.yTrain, holdout, ctx);
    assert.equal(blend.features.nRows, holdout.reduce((a, b) => a + b, 0));
    const final = getAlgorithm('logistic_regression')!.fit(blend.features, blend.target, { c: 1, max_iter: 200 }, ctx);
    const meta = stackFeatures(['knn', 'nb'], blend.fitted.map((m) => memberOutput(m, d.test, ctx)), d.test.nRows, classes);
    const proba = final.predictProba!(meta);
    assert.ok(maxDiff(proba, ref.blending.proba) < 2e-3, `blended probabilities differ by ${maxDiff(proba, ref.blending.proba)}`);
  });

  // Naive Bayes gives probabilities a hair from 1 on breast_cancer: whether two of them are one
  // tie for isotonic regression (closer than 1e-15) turns on their last bits, hence 1e-4.
  for (const [algorithm, options, tolerance] of [['naive_bayes', {}, 1e-4], ['knn', { k: 5 }, 1e-6], ['logistic_regression', { c: 1, max_iter: 200 }, 5e-3], ['decision_tree', { max_depth: 3 }, 0.05]] as const) {
    for (const method of ['sigmoid', 'isotonic'] as const) {
      test(`${method} calibration of ${algorithm} on ${dataset} matches CalibratedClassifierCV(cv=5)`, () => {
        const d = loadFixtureSplit(dataset, target, true);
        const classes = (d.yTrain as { classes: string[] }).classes;
        const model = fitCalibrated(method, 5, d.train, d.yTrain as Extract<Target, { task: 'classification' }>, ctx, fitter(algorithm, options));
        const proba = model.predictProba!(d.test);
        const r = ref[`calibrated_${algorithm}_${method}`];
        // A decision tree's ties between equally good splits are broken differently from
        // scikit-learn's (its features are tried in a random order): compared on accuracy only.
        if (algorithm !== 'decision_tree') assert.ok(maxDiff(proba, r.proba) < tolerance, `calibrated probabilities differ by ${maxDiff(proba, r.proba)}`);
        const m = computeMetrics(['accuracy', 'log_loss'], { task: 'classification', yTrue: d.yTest.y, yPred: model.predict(d.test), proba, nClasses: classes.length, positiveIndex: 1 });
        assert.ok(Math.abs(m.accuracy - r.accuracy) <= tolerance * 10 + 1e-12, `accuracy ${m.accuracy} vs scikit-learn's ${r.accuracy}`);
        // Stored and restored, the calibrated model predicts the same probabilities.
        const restored = restoreModel(JSON.parse(JSON.stringify(saveModel(model))));
        assert.deepEqual(Array.from(restored.predictProba!(d.test)), Array.from(proba));
      });
    }
  }
}

test('default folds on diabetes are scikit-learn\'s KFold(5); stacking kNN and OLS under OLS matches StackingRegressor', () => {
  const d = loadFixtureSplit('diabetes', 'progression', true);
  const ref = expected.diabetes;
  const fold = sklearnFolds(d.train.nRows, 5);
  assert.deepEqual(Array.from(fold), ref.folds);
  const members: StackMember[] = [
    { name: 'knn', x: d.train, fit: fitter('knn', { k: 5 }) },
    { name: 'linear', x: d.train, fit: fitter('linear_regression') },
  ];
  const oof = outOfFoldFeatures(members, d.yTrain, fold, 5, ctx);
  assert.ok(maxDiff(oof.columns[0], ref.oof.knn) < 1e-9);
  assert.ok(maxDiff(oof.columns[1], ref.oof.linear) < 1e-6);
  const final = getAlgorithm('linear_regression')!.fit(oof, d.yTrain, {}, ctx);
  const refit = members.map((m) => m.fit(m.x, d.yTrain, ctx));
  const pred = final.predict(stackFeatures(['knn', 'linear'], refit.map((m) => memberOutput(m, d.test, ctx)), d.test.nRows));
  assert.ok(maxDiff(pred, ref.stacking.pred) < 1e-4, `stacked predictions differ by ${maxDiff(pred, ref.stacking.pred)}`);
  assert.ok(Math.abs(computeMetrics(['r2'], { task: 'regression', yTrue: d.yTest.y, yPred: pred }).r2 - ref.stacking.r2) < 1e-8);

  const blend = blendMembers(members, d.yTrain, Uint8Array.from({ length: d.train.nRows }, (_, i) => (i % 5 === 0 ? 1 : 0)), ctx);
  const blendFinal = getAlgorithm('linear_regression')!.fit(blend.features, blend.target, {}, ctx);
  const blended = blendFinal.predict(stackFeatures(['knn', 'linear'], blend.fitted.map((m) => memberOutput(m, d.test, ctx)), d.test.nRows));
  assert.ok(maxDiff(blended, ref.blending.pred) < 1e-4, `blended predictions differ by ${maxDiff(blended, ref.blending.pred)}`);
});

test('Platt scaling and isotonic regression on hand-checked data', () => {
  // Ties are merged into their mean before pooling (score 2: mean 0.5 over two rows); the violating
  // pair (0.5 then 0) is pooled by weight to (2 · 0.5 + 0) / 3.
  const iso = fitIsotonic(Float64Array.from([3, 1, 2, 2, 4]), Uint8Array.from([0, 0, 1, 0, 1]));
  assert.deepEqual(iso, { x: [1, 2, 3, 4], y: [0, 1 / 3, 1 / 3, 1] });
  // Separable scores: the prior-corrected targets keep a and b finite, and a higher score means a higher probability (a < 0).
  const s = fitSigmoid(Float64Array.from([-2, -1, 1, 2]), Uint8Array.from([0, 0, 1, 1]));
  assert.ok(Number.isFinite(s.a) && Number.isFinite(s.b) && s.a < 0);
});
