// Hover on a resample/select/tune/ensemble method names it and lists its options from the
// catalog (tune's `metric:` among them); hover on the tuning metric says which direction wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { hover } from '../../server/src/lsp/features';
import { CARS_MODEL, FILE } from '../helpers/fixture-pipelines';

const text = CARS_MODEL.replace('algorithm: linear_regression', 'algorithm: linear_regression\n  tune: random(trials: 2, metric: rmse) { alpha: [0, 1, 10] }');

function hoverText(at: string, into = 1): string {
  const offset = text.indexOf(at);
  assert.ok(offset >= 0, `${at} is in the pipeline`);
  const h = hover(checkPipeline(text, FILE, new CsvSchemaCache()), offset + into, () => ({}));
  assert.ok(h, `a hover at ${at}`);
  return (h.contents as { value: string }).value;
}

test('hover on random( lists its options, metric among them; hover on rmse says lower is better', () => {
  const random = hoverText('random(');
  assert.match(random, /^\*\*tune method\*\* `random`: try random combinations/);
  assert.match(random, /- `trials`: combinations to try \(default 10\)/);
  assert.match(random, /- `metric`: cross-validated metric that ranks the combinations .*error metrics such as rmse are minimised/);
  assert.match(hoverText('rmse)'), /\*\*metric\*\* `rmse` \(regression\): root mean squared error; lower is better/);
});

test('hover on stacking and on a calibration method gives what they do and their options from the catalog', () => {
  const source = CARS_MODEL.replace('algorithm: linear_regression', 'ensemble: stacking(of: [a, b], cv: 3)') + '\nmodel c from parts.train {\n  target: Miles_per_Gallon\n  algorithm: knn\n  calibrate: isotonic(cv: 3)\n}';
  const at = (word: string): string => {
    const h = hover(checkPipeline(source, FILE, new CsvSchemaCache()), source.indexOf(word) + 1, () => ({}));
    assert.ok(h, `a hover at ${word}`);
    return (h.contents as { value: string }).value;
  };
  const stacking = at('stacking(');
  assert.match(stacking, /^\*\*ensemble method\*\* `stacking`: a final model trained on the members' out-of-fold predictions/);
  assert.match(stacking, /- `final`: the model trained on the members' predictions/);
  assert.match(stacking, /- `cv`: folds whose out-of-fold predictions train the final model .*\(default 5\)/);
  assert.match(at('isotonic('), /^\*\*calibrate method\*\* `isotonic`: isotonic regression over the model's scores.*\n\n- `cv`: folds: one calibrated copy/);
});

test('hover on tune: halving gives successive halving and its options from the catalog', () => {
  const source = CARS_MODEL.replace('algorithm: linear_regression', 'algorithm: knn\n  tune: halving(factor: 3) { k: [1, 3, 5] }');
  const h = hover(checkPipeline(source, FILE, new CsvSchemaCache()), source.indexOf('halving(') + 1, () => ({}));
  assert.ok(h);
  const text = (h.contents as { value: string }).value;
  assert.match(text, /^\*\*tune method\*\* `halving`: successive halving over every combination, as scikit-learn's HalvingGridSearchCV/);
  assert.match(text, /- `factor`: each round keeps the best 1\/factor/);
  assert.match(text, /- `budget`: time budget, checked between combinations.*\(default: no limit\)/);
});

test('hover on class_weight says what it weighs, for which algorithms, and how balanced is computed', () => {
  const source = CARS_MODEL.replace('algorithm: linear_regression', 'algorithm: decision_tree\n  class_weight: balanced');
  const h = hover(checkPipeline(source, FILE, new CsvSchemaCache()), source.indexOf('class_weight') + 2, () => ({}));
  assert.ok(h);
  assert.match((h.contents as { value: string }).value, /`class_weight: balanced \| \{ A: 2, B: 1 \}` \(classification; logistic_regression, decision_tree, random_forest, gradient_boosting\).*rows \/ \(classes × rows of c\)/);
});
