// class_weight against scikit-learn on imbalanced public data (breast_cancer; seattle-weather,
// where snow, drizzle and fog are 2 to 7 % of the days): same rows, same options; expected
// figures recorded by test/ml/reference/learning_options_reference.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classRowWeights } from '../../server/src/ml/class-weight';
import type { AlgorithmOptions, Target } from '../../server/src/ml/model-types';
import { getAlgorithm } from '../../server/src/ml/registry';
import { loadFixtureSplit, type Data } from '../helpers/fixture-split';

/* eslint-disable @typescript-eslint/no-explicit-any */
const expected = JSON.parse(readFileSync(join(__dirname, 'reference', 'learning_options_expected.json'), 'utf8')) as Record<string, any>;

/** The data set with only its numeric features (seattle-weather's date is not one). */
const load = (name: string, target: string, scaled: boolean): Data => loadFixtureSplit(name, target, scaled, ['date']);

const OPTIONS: Record<string, AlgorithmOptions> = {
  logistic_regression: { c: 1, max_iter: 1000 },
  decision_tree: { max_depth: 4, min_samples_leaf: 1 },
  random_forest: { trees: 100, max_depth: 0, max_features: 'sqrt', min_samples_leaf: 1 },
  gradient_boosting: { rounds: 100, max_depth: 3, learning_rate: 0.1, min_samples_leaf: 20, l2_regularization: 0 },
};

function figures(algorithm: string, d: Data, weight: AlgorithmOptions['class_weight'] | undefined, minority: string) {
  const options = { ...OPTIONS[algorithm], ...(weight !== undefined ? { class_weight: weight } : {}) };
  const model = getAlgorithm(algorithm)!.fit(d.train, d.yTrain, options, { seed: 0 });
  const pred = model.predict(d.test);
  const proba = model.predictProba!(d.test);
  const t = d.yTest as Extract<Target, { task: 'classification' }>;
  const rows = new Float64Array(t.classes.length);
  const right = new Float64Array(t.classes.length);
  for (let i = 0; i < t.y.length; i++) { rows[t.y[i]]++; if (pred[i] === t.y[i]) right[t.y[i]]++; }
  const recalls = Array.from(rows, (r, c) => (r > 0 ? right[c] / r : NaN)).filter((r) => !Number.isNaN(r));
  const balancedAccuracy = recalls.reduce((a, b) => a + b, 0) / recalls.length;
  const c = t.classes.indexOf(minority);
  return { balancedAccuracy, minorityRecall: right[c] / rows[c], proba, pred };
}

function meanAbsDiff(ours: Float64Array, theirs: number[][]): { mean: number; max: number } {
  const flat = theirs.flat();
  assert.equal(ours.length, flat.length);
  let s = 0, max = 0;
  for (let i = 0; i < flat.length; i++) { const d = Math.abs(ours[i] - flat[i]); s += d; max = Math.max(max, d); }
  return { mean: s / flat.length, max };
}

const SETS = [['breast_cancer', 'diagnosis'], ['seattle-weather', 'weather']] as const;

for (const [name, target] of SETS) {
  const ref = expected[name];
  const map = { [ref.minority]: 5 };

  test(`class_weight: balanced on ${name} weighs the classes as compute_class_weight('balanced')`, () => {
    const d = load(name, target, false);
    const t = d.yTrain as Extract<Target, { task: 'classification' }>;
    const w = classRowWeights({ class_weight: 'balanced' }, t)!;
    for (let i = 0; i < w.length; i++) assert.ok(Math.abs(w[i] - ref.balanced_weights[t.classes[t.y[i]]]) < 1e-12);
    // A map weighs the classes it names; the others weigh 1.
    const m = classRowWeights({ class_weight: map }, t)!;
    for (let i = 0; i < m.length; i++) assert.equal(m[i], t.classes[t.y[i]] === ref.minority ? 5 : 1);
  });

  for (const weight of ['balanced', 'map'] as const) {
    test(`logistic regression with class_weight ${weight} on ${name} matches LogisticRegression(class_weight=...)`, () => {
      const d = load(name, target, true);
      const ours = figures('logistic_regression', d, weight === 'balanced' ? 'balanced' : map, ref.minority);
      const theirs = ref[`logistic_regression/${weight}`];
      // The same weighted loss and penalty: the same optimum, to the solvers' tolerances.
      assert.ok(meanAbsDiff(ours.proba, theirs.proba).max < 2e-3, `probabilities differ by ${meanAbsDiff(ours.proba, theirs.proba).max}`);
      assert.equal(ours.minorityRecall, theirs.minority_recall);
    });

    test(`gradient boosting with class_weight ${weight} on ${name} matches HistGradientBoostingClassifier(class_weight=...)`, () => {
      const d = load(name, target, false);
      const ours = figures('gradient_boosting', d, weight === 'balanced' ? 'balanced' : map, ref.minority);
      const theirs = ref[`gradient_boosting/${weight}`];
      const diff = meanAbsDiff(ours.proba, theirs.proba);
      // Bin edges differ slightly from scikit-learn's (quantiles of a subsample there), so the trees do a little.
      assert.ok(diff.mean < 0.02, `probabilities differ by ${diff.mean} on average`);
      assert.ok(Math.abs(ours.balancedAccuracy - theirs.balanced_accuracy) <= 0.05, `balanced accuracy ${ours.balancedAccuracy} vs ${theirs.balanced_accuracy}`);
    });

    for (const algorithm of ['decision_tree', 'random_forest'] as const) {
      test(`${algorithm} with class_weight ${weight} on ${name} is as accurate per class as scikit-learn's`, () => {
        const d = load(name, target, false);
        const ours = figures(algorithm, d, weight === 'balanced' ? 'balanced' : map, ref.minority);
        const theirs = ref[`${algorithm}/${weight}`];
        // Binned thresholds (and, for the forest, another random stream) make other trees: the figures agree within a few points.
        assert.ok(Math.abs(ours.balancedAccuracy - theirs.balanced_accuracy) <= 0.06, `balanced accuracy ${ours.balancedAccuracy} vs ${theirs.balanced_accuracy}`);
      });
    }
  }

  test(`class_weight: balanced raises the minority's recall on ${name} where scikit-learn's does`, () => {
    const d = load(name, target, false);
    const s = load(name, target, true);
    for (const algorithm of ['logistic_regression', 'gradient_boosting']) {
      const data = algorithm === 'logistic_regression' ? s : d;
      const none = figures(algorithm, data, undefined, ref.minority);
      const balanced = figures(algorithm, data, 'balanced', ref.minority);
      const up = ref[`${algorithm}/balanced`].minority_recall > ref[`${algorithm}/none`].minority_recall;
      if (up) assert.ok(balanced.minorityRecall > none.minorityRecall, `${algorithm}: ${none.minorityRecall} → ${balanced.minorityRecall}`);
    }
  });
}

test('a tree with one leaf under class_weight: balanced predicts every class alike, as a weighted root', () => {
  const d = load('seattle-weather', 'weather', false);
  const model = getAlgorithm('decision_tree')!.fit(d.train, d.yTrain, { max_depth: 0, min_samples_leaf: d.train.nRows, class_weight: 'balanced' }, { seed: 0 });
  const p = model.predictProba!(d.test);
  const k = (d.yTrain as { classes: string[] }).classes.length;
  for (let c = 0; c < k; c++) assert.ok(Math.abs(p[c] - 1 / k) < 1e-12, `class ${c}: ${p[c]}`);
});
