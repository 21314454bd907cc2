// Every algorithm against scikit-learn on real data sets: same CSV files, same train/test rows
// (row index % 4 == 0 is test), expected figures recorded by test/ml/reference/sklearn_reference.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFixtureSplit as load } from '../helpers/fixture-split';
import { getAlgorithm, restoreModel, saveModel } from '../../server/src/ml/registry';
import { computeMetrics } from '../../server/src/ml/metrics';
import { argmaxRows } from '../../server/src/ml/linear-predict';

const expected = JSON.parse(readFileSync(join(__dirname, 'reference', 'expected.json'), 'utf8')) as Record<string, Record<string, Record<string, number>>>;

const CLASSIFIERS: [string, string, Record<string, number>, boolean, number][] = [
  // [key in expected.json, algorithm, options, scaled, accuracy tolerance]
  ['logistic_regression', 'logistic_regression', { c: 1, max_iter: 200 }, true, 0.02],
  ['logistic_regression_c0.1', 'logistic_regression', { c: 0.1, max_iter: 200 }, true, 0.02],
  ['decision_tree', 'decision_tree', {}, false, 0.07],
  ['random_forest', 'random_forest', { trees: 100 }, false, 0.04],
  ['gradient_boosting', 'gradient_boosting', { rounds: 100, max_depth: 3, learning_rate: 0.1, min_samples_leaf: 20 }, false, 0.03],
  ['knn', 'knn', { k: 5 }, true, 0.0001],
  ['naive_bayes', 'naive_bayes', {}, false, 0.0001],
];

/** Each metric's mean over the models fitted with seeds 0..9. */
function forestMeans(metricsOf: (seed: number) => Record<string, number>): Record<string, number> {
  const sum: Record<string, number> = {};
  for (let seed = 0; seed < 10; seed++) for (const [k, v] of Object.entries(metricsOf(seed))) sum[k] = (sum[k] ?? 0) + v / 10;
  return sum;
}

for (const [dataset, target] of [['iris', 'species'], ['wine', 'cultivar'], ['breast_cancer', 'diagnosis']] as const) {
  for (const [key, algorithm, options, scaled, tol] of CLASSIFIERS) {
    test(`${algorithm} (${key}) on ${dataset} matches scikit-learn`, () => {
      const d = load(dataset, target, scaled);
      const model = getAlgorithm(algorithm)!.fit(d.train, d.yTrain, options, { seed: 42 });
      const classes = (d.yTrain as { classes: string[] }).classes;
      const proba = model.predictProba!(d.test);
      const m = computeMetrics(['accuracy', 'f1', 'roc_auc', 'log_loss'], { task: 'classification', yTrue: d.yTest.y, yPred: model.predict(d.test), proba, nClasses: classes.length, positiveIndex: 1 });
      const ref = expected[dataset][key];
      if (algorithm === 'random_forest') {
        // On a few dozen test rows a forest's accuracy moves with its seed (one row is 2.6 % of
        // iris's test part): the mean over seeds 0..9 is compared with scikit-learn's. On iris ours
        // is 0.92 for 17 of 20 seeds and scikit-learn's mean is 0.963: a known gap of about 1.5 of
        // 38 test rows (the same before trees had their own random streams), hence 0.045 there.
        const seeds = expected[dataset].random_forest_seeds;
        const mean = forestMeans((seed) => {
          const mm = getAlgorithm(algorithm)!.fit(d.train, d.yTrain, options, { seed });
          return computeMetrics(['accuracy', 'f1'], { task: 'classification', yTrue: d.yTest.y, yPred: mm.predict(d.test), nClasses: classes.length, positiveIndex: 1 });
        });
        assert.ok(Math.abs(mean.accuracy - seeds.accuracy) <= (dataset === 'iris' ? 0.045 : 0.02), `mean accuracy over 10 seeds ${mean.accuracy} vs scikit-learn ${seeds.accuracy}`);
        assert.ok(Math.abs(mean.f1 - seeds.f1) <= (dataset === 'iris' ? 0.045 : 0.03), `mean f1 over 10 seeds ${mean.f1} vs ${seeds.f1}`);
      } else {
        assert.ok(Math.abs(m.accuracy - ref.accuracy) <= tol, `accuracy ${m.accuracy} vs scikit-learn ${ref.accuracy}`);
        assert.ok(Math.abs(m.f1 - ref.f1) <= Math.max(tol, 0.0001) + 0.01, `f1 ${m.f1} vs ${ref.f1}`);
      }
      if (algorithm === 'logistic_regression' || algorithm === 'naive_bayes' || algorithm === 'knn') {
        // Naive Bayes puts probabilities near 1e-15 on some breast-cancer rows, where clipping
        // makes log-loss sensitive to the last digits: a looser bound there.
        const lossTol = algorithm === 'naive_bayes' ? 0.05 : 0.02;
        assert.ok(Math.abs(m.log_loss - ref.log_loss) <= lossTol * Math.max(1, ref.log_loss), `log_loss ${m.log_loss} vs ${ref.log_loss}`);
        assert.ok(Math.abs(m.roc_auc - ref.roc_auc) <= 0.005, `roc_auc ${m.roc_auc} vs ${ref.roc_auc}`);
      }
      const restored = restoreModel(JSON.parse(JSON.stringify(saveModel(model))));
      assert.deepEqual(Array.from(restored.predictProba!(d.test)), Array.from(proba), 'a stored model predicts identically');
      // Where the model says so, the runner takes predictions as the argmax of the probabilities instead of scoring twice.
      if (model.predictIsArgmax) assert.deepEqual(argmaxRows(proba, d.test.nRows, classes.length), model.predict(d.test));
      assert.equal(restored.predictIsArgmax, model.predictIsArgmax);
      const imp = model.featureImportances?.();
      if (imp) assert.ok(Math.abs(imp.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'importances sum to 1');
    });
  }
}

const REGRESSORS: [string, string, Record<string, number>, boolean, number][] = [
  ['linear_regression', 'linear_regression', { alpha: 0 }, false, 1e-6],
  ['ridge_alpha_1', 'linear_regression', { alpha: 1 }, true, 1e-6],
  ['decision_tree', 'decision_tree', { max_depth: 4 }, false, 0.12],
  ['random_forest', 'random_forest', { trees: 100 }, false, 0.05],
  ['gradient_boosting', 'gradient_boosting', { rounds: 100, max_depth: 3, learning_rate: 0.1, min_samples_leaf: 20 }, false, 0.05],
  ['knn', 'knn', { k: 5 }, true, 1e-6],
];

for (const [key, algorithm, options, scaled, tol] of REGRESSORS) {
  test(`${algorithm} (${key}) on diabetes matches scikit-learn`, () => {
    const d = load('diabetes', 'progression', scaled);
    const model = getAlgorithm(algorithm)!.fit(d.train, d.yTrain, options, { seed: 42 });
    const m = computeMetrics(['r2', 'rmse'], { task: 'regression', yTrue: d.yTest.y, yPred: model.predict(d.test) });
    if (algorithm === 'random_forest') {
      const mean = forestMeans((seed) => computeMetrics(['r2'], { task: 'regression', yTrue: d.yTest.y, yPred: getAlgorithm(algorithm)!.fit(d.train, d.yTrain, options, { seed }).predict(d.test) }));
      const ref = expected.diabetes.random_forest_seeds;
      assert.ok(Math.abs(mean.r2 - ref.r2) <= tol, `mean r2 over 10 seeds ${mean.r2} vs scikit-learn ${ref.r2}`);
    } else {
      const ref = expected.diabetes[key];
      assert.ok(Math.abs(m.r2 - ref.r2) <= tol, `r2 ${m.r2} vs scikit-learn ${ref.r2}`);
    }
  });
}

test('gradient boosting takes missing values natively', () => {
  const d = load('breast_cancer', 'diagnosis', false);
  const holed = { ...d.train, columns: d.train.columns.map((c, j) => Float64Array.from(c, (v, i) => ((i + j) % 7 === 0 ? NaN : v))) };
  const testHoled = { ...d.test, columns: d.test.columns.map((c, j) => Float64Array.from(c, (v, i) => ((i + j) % 7 === 0 ? NaN : v))) };
  const model = getAlgorithm('gradient_boosting')!.fit(holed, d.yTrain, {}, { seed: 1 });
  const m = computeMetrics(['accuracy'], { task: 'classification', yTrue: d.yTest.y, yPred: model.predict(testHoled), nClasses: 2 });
  assert.ok(m.accuracy > 0.9, `accuracy with 1/7 of cells missing: ${m.accuracy}`);
});
