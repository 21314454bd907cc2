// Learning options at check time (class_weight, early_stopping, budgets, halving): what runs is
// accepted with its value resolved, and every combination the runner could not train is a
// diagnostic on the token at fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { infoOf } from '../../server/src/checker/checked-model';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { CARS_MODEL, FILE, IRIS_SPLIT } from '../helpers/fixture-pipelines';
import { marked } from '../helpers/marked';

const cache = new CsvSchemaCache();
const model = (body: string): string => `${IRIS_SPLIT}\nmodel m from parts.train {\n  target: species\n${body}\n}`;

test('class_weight: balanced and a map of the target\'s classes check clean, resolved', async () => {
  const balanced = await checkPipeline(model('  algorithm: random_forest\n  class_weight: balanced'), FILE, cache);
  assert.deepEqual(balanced.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  assert.equal(infoOf(balanced, 'm', 'model')?.classWeight, 'balanced');
  const map = await checkPipeline(model('  algorithm: gradient_boosting\n  class_weight: { setosa: 2, virginica: 0.5 }'), FILE, cache);
  assert.deepEqual(map.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  assert.deepEqual(infoOf(map, 'm', 'model')?.classWeight, { setosa: 2, virginica: 0.5 });
  // auto gives it to the candidates that take it.
  const auto = await checkPipeline(model('  algorithm: auto(candidates: [knn, logistic_regression])\n  class_weight: balanced'), FILE, cache);
  assert.deepEqual(auto.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
});

const wrong: { why: string; code: string; source: string; message: RegExp }[] = [
  { why: 'class_weight on a regression', code: 'NML117', source: CARS_MODEL.replace('algorithm: linear_regression', 'algorithm: linear_regression\n  «class_weight»: balanced'), message: /is a regression/ },
  { why: 'class_weight on knn', code: 'NML116', source: model('  algorithm: knn\n  «class_weight»: balanced'), message: /knn takes no class_weight; use logistic_regression, decision_tree, random_forest, gradient_boosting/ },
  { why: 'class_weight on auto without a candidate that takes it', code: 'NML116', source: model('  algorithm: auto(candidates: [knn, naive_bayes])\n  «class_weight»: balanced'), message: /takes no class_weight/ },
  { why: 'an unknown word', code: 'NML116', source: model('  algorithm: decision_tree\n  class_weight: «balance»'), message: /must be balanced or a map/ },
  { why: 'a class the target does not have', code: 'NML116', source: model('  algorithm: decision_tree\n  class_weight: { «setosaa»: 2 }'), message: /has the classes setosa, versicolor, virginica.*did you mean/i },
  { why: 'a weight of zero', code: 'NML116', source: model('  algorithm: decision_tree\n  class_weight: { setosa: «0» }'), message: /greater than 0/ },
  { why: 'an empty map', code: 'NML116', source: model('  algorithm: decision_tree\n  «class_weight»: { }'), message: /needs balanced or the weights/ },
  { why: 'class_weight on an ensemble', code: 'NML116', source: `${IRIS_SPLIT}\nmodel a from parts.train { target: species, algorithm: knn }\nmodel b from parts.train { target: species, algorithm: naive_bayes }\nmodel s from parts.train {\n  target: species\n  ensemble: voting(of: [a, b])\n  «class_weight»: balanced\n}`, message: /"class_weight" does not apply/ },
  { why: 'validation_fraction without early_stopping', code: 'NML116', source: model('  algorithm: gradient_boosting(rounds: 50, «validation_fraction»: 0.2)'), message: /early_stopping is 0 \(off\); add early_stopping: 10/ },
  { why: 'a negative early_stopping', code: 'NML116', source: model('  algorithm: gradient_boosting(early_stopping: «-1»)'), message: /early_stopping/ },
  { why: 'a validation_fraction of 1', code: 'NML116', source: model('  algorithm: gradient_boosting(early_stopping: 5, validation_fraction: «1»)'), message: /validation_fraction/ },
  { why: 'halving\'s min_rows below the folds', code: 'NML116', source: model('  algorithm: knn\n  tune: halving(min_rows: «3») { k: [1, 3, 5] }\n  cv: 5'), message: /fewer than the 5 folds of cv; raise min_rows to at least 5/ },
  { why: 'halving\'s min_rows beyond the rows', code: 'NML116', source: model('  algorithm: knn\n  tune: halving(min_rows: «5000») { k: [1, 3, 5] }'), message: /takes min_rows: 5000 training rows, but "parts.train" holds \d+/ },
  { why: 'an option halving does not have', code: 'NML116', source: model('  algorithm: knn\n  tune: halving(«rounds»: 5) { k: [1, 3, 5] }'), message: /unknown option "rounds"/ },
  { why: 'a budget that is not a duration', code: 'NML116', source: model('  algorithm: knn\n  tune: random(trials: 20, budget: «fast») { k: [1, 3, 5] }'), message: /a duration such as 60s or 5m/ },
];

test('tune: random(budget: 30s) and grid(budget: 2m) check clean with the budget in milliseconds; without one there is no limit', async () => {
  const random = await checkPipeline(model('  algorithm: knn\n  tune: random(trials: 200, budget: 30s) { k: [1, 3, 5] }'), FILE, cache);
  assert.deepEqual(random.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  assert.deepEqual(infoOf(random, 'm', 'model')?.tune?.method.options, { trials: 200, budget: 30_000 });
  const grid = await checkPipeline(model('  algorithm: knn\n  tune: grid(budget: 2m) { k: [1, 3, 5] }'), FILE, cache);
  assert.equal(infoOf(grid, 'm', 'model')?.tune?.method.options.budget, 120_000);
  const none = await checkPipeline(model('  algorithm: knn\n  tune: grid { k: [1, 3, 5] }'), FILE, cache);
  assert.deepEqual(infoOf(none, 'm', 'model')?.tune?.method.options, {});
});

test('tune: halving checks clean with scikit-learn\'s defaults resolved', async () => {
  const p = await checkPipeline(model('  algorithm: knn\n  tune: halving(metric: f1_weighted) { k: [1, 3, 5, 7, 9] }'), FILE, cache);
  assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  assert.deepEqual(infoOf(p, 'm', 'model')?.tune?.method, { name: 'halving', options: { factor: 3, min_rows: 0, trials: 0, metric: 'f1_weighted' } });
});

test('early_stopping checks clean, resolved with the default validation_fraction; tuning it lets validation_fraction stand', async () => {
  const p = await checkPipeline(model('  algorithm: gradient_boosting(rounds: 500, early_stopping: 10)'), FILE, cache);
  assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  assert.deepEqual(infoOf(p, 'm', 'model')?.algorithm?.options, { rounds: 500, learning_rate: 0.1, max_depth: 3, min_samples_leaf: 20, l2_regularization: 0, early_stopping: 10, validation_fraction: 0.1 });
  const tuned = await checkPipeline(model('  algorithm: gradient_boosting(validation_fraction: 0.2)\n  tune: grid { early_stopping: [0, 10] }'), FILE, cache);
  assert.deepEqual(tuned.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
});

for (const c of wrong) {
  test(`${c.code} for ${c.why}`, async () => {
    const { text, start, end } = marked(c.source);
    const p = await checkPipeline(text, FILE, cache);
    const at = p.diagnostics.filter((d) => d.code === c.code && d.range.start.offset === start && d.range.end.offset === end);
    assert.equal(at.length, 1, `expected ${c.code} on "${text.slice(start, end)}"; got ${p.diagnostics.map((d) => `${d.code} "${text.slice(d.range.start.offset, d.range.end.offset)}" ${d.message}`).join('\n')}`);
    assert.match(at[0].message, c.message);
  });
}
