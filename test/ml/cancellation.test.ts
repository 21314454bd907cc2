// Every algorithm polls its cancel signal inside the long part of its work (nodes of one tree,
// trees, boosting rounds, solver iterations, prediction rows, neighbour searches of resampling,
// elimination rounds of feature selection) and stops with CancelledError.
// The signal here is raised after a number of polls, so "inside" is shown without timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvText } from '../../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import { CancelledError, type CancelSignal } from '../../server/src/ml/cancellation';
import { selectFeatures } from '../../server/src/ml/feature-selection';
import { getAlgorithm } from '../../server/src/ml/registry';
import { resample } from '../../server/src/ml/resample';
import type { FeatureMatrix, Target } from '../../server/src/ml/model-types';

function breastCancer(): { x: FeatureMatrix; y: Target } {
  const t = readCsvText(readFileSync(join(__dirname, '..', 'fixtures', 'data', 'breast_cancer.csv'), 'utf8'), DEFAULT_CSV_OPTIONS, 'breast_cancer');
  const features = t.names.filter((n) => n !== 'diagnosis');
  const columns = features.map((f) => { const c = t.columns[t.names.indexOf(f)]; if (!('values' in c)) throw new Error(f); return c.values; });
  const yc = t.columns[t.names.indexOf('diagnosis')];
  if (!('codes' in yc)) throw new Error('diagnosis is a category');
  return { x: { nRows: t.rowCount, columns, names: features }, y: { task: 'classification', classes: yc.levels, y: yc.codes } };
}

/** A signal raised once it has been polled `after` times; counts every poll. */
function raisedAfter(after: number): CancelSignal & { polls: number } {
  return { polls: 0, get aborted() { return ++this.polls > after; } };
}

const { x, y } = breastCancer();

for (const [algorithm, options, polls] of [
  ['decision_tree', {}, 5],
  ['random_forest', { trees: 50 }, 30],
  ['gradient_boosting', { rounds: 50 }, 10],
  ['logistic_regression', { max_iter: 500 }, 3],
  ['linear_regression', {}, 3],
] as const) {
  test(`${algorithm} stops inside fit once its signal is raised`, () => {
    const signal = raisedAfter(polls);
    const target: Target = algorithm === 'linear_regression' ? { task: 'regression', y: x.columns[0] } : y;
    assert.throws(() => getAlgorithm(algorithm)!.fit(x, target, options, { seed: 1, signal }), CancelledError);
    assert.equal(signal.polls, polls + 1, 'it stopped at the first poll after the signal was raised');
    // Unraised, the same fit completes: the polls do not change the model.
    const model = getAlgorithm(algorithm)!.fit(x, target, options, { seed: 1, signal: raisedAfter(Infinity) });
    assert.deepEqual(model.params, getAlgorithm(algorithm)!.fit(x, target, options, { seed: 1 }).params);
  });
}

for (const [algorithm, options] of [['knn', { k: 5 }], ['random_forest', { trees: 20 }]] as const) {
  test(`${algorithm} stops inside predict once its signal is raised`, () => {
    const model = getAlgorithm(algorithm)!.fit(x, y, options, { seed: 1 });
    const signal = raisedAfter(3);
    assert.throws(() => model.predict(x, signal), CancelledError);
    assert.equal(signal.polls, 4);
    assert.throws(() => model.predictProba!(x, raisedAfter(3)), CancelledError);
    assert.deepEqual(model.predict(x, raisedAfter(Infinity)), model.predict(x));
  });
}

test('smote and rfe stop inside their loops once the signal is raised', () => {
  if (y.task !== 'classification') throw new Error('classification fixture');
  const smote = raisedAfter(10);
  assert.throws(() => resample('smote', { k: 5 }, x, y.y, 1, smote), CancelledError);
  assert.equal(smote.polls, 11);
  const rfe = raisedAfter(4);
  assert.throws(() => selectFeatures('rfe', { top: 5 }, x, y, rfe), CancelledError);
  assert.equal(rfe.polls, 5);
  assert.deepEqual(selectFeatures('rfe', { top: 5 }, x, y, raisedAfter(Infinity)), selectFeatures('rfe', { top: 5 }, x, y));
});
