// Training on all cores gives the same models and scores as on one thread: a forest's trees and
// cross-validation folds are computed by worker threads (ml/parallel/thread-pool.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError } from '../../server/src/ml/cancellation';
import { kFoldIndices, scoreFolds } from '../../server/src/ml/cross-validation';
import type { AlgorithmOptions, FeatureMatrix, Target } from '../../server/src/ml/model-types';
import { computeInParallel } from '../../server/src/ml/parallel/thread-pool';
import { createRng } from '../../server/src/ml/random';
import { getAlgorithm } from '../../server/src/ml/registry';
import { PARALLEL_FROM_WALKS } from '../../server/src/ml/tree-ensemble';
import { withThreads } from '../helpers/threads';

function data(n: number, p: number): { x: FeatureMatrix; target: Target } {
  const rng = createRng(5);
  const columns = Array.from({ length: p }, () => Float64Array.from({ length: n }, () => rng.next()));
  const y = Int32Array.from({ length: n }, (_, i) => (columns[0][i] + 0.5 * columns[1][i] + 0.3 * rng.next() > 0.9 ? 1 : 0));
  return { x: { nRows: n, columns, names: columns.map((_, j) => `f${j}`) }, target: { task: 'classification', y, classes: ['no', 'yes'] } };
}


test('a forest is the same on 1, 2 and 3 threads', { timeout: 300_000 }, () => {
  const { x, target } = data(8_000, 8);
  const fit = (threads: number) => withThreads(threads, () => getAlgorithm('random_forest')!.fit(x, target, { trees: 60, max_depth: 8 }, { seed: 11 }));
  const one = fit(1);
  const proba = Array.from(one.predictProba!(x));
  for (const threads of [2, 3]) {
    const many = fit(threads);
    assert.deepEqual(many.params, one.params, `${threads} threads grow the same trees`);
    assert.deepEqual(Array.from(many.predictProba!(x)), proba);
    assert.deepEqual(many.featureImportances?.(), one.featureImportances?.());
  }
});

test('many rows are scored the same on 1, 2 and 3 threads (forest, boosting with missing values, multiclass)', { timeout: 300_000 }, () => {
  const { x: train, target } = data(3_000, 6);
  const three: Target = { task: 'classification', classes: ['a', 'b', 'c'], y: Int32Array.from((target as { y: Int32Array }).y, (y, i) => (y === 1 ? 1 : train.columns[2][i] > 0.5 ? 2 : 0)) };
  // Rows enough that scoring fans out, and a row count that is no multiple of a thread's range.
  const n = 100_003;
  const rng = createRng(9);
  const columns = train.columns.map(() => Float64Array.from({ length: n }, () => (rng.next() < 0.02 ? NaN : rng.next())));
  const x: FeatureMatrix = { nRows: n, columns, names: train.names };
  const complete: FeatureMatrix = { ...x, columns: columns.map((c) => c.map((v) => (Number.isNaN(v) ? 0.5 : v))) };
  const cases: { algorithm: string; options: AlgorithmOptions; target: Target; x: FeatureMatrix; classes: number }[] = [
    { algorithm: 'random_forest', options: { trees: 50, max_depth: 10 }, target, x: complete, classes: 2 },
    { algorithm: 'gradient_boosting', options: { rounds: 60 }, target, x, classes: 2 },
    { algorithm: 'gradient_boosting', options: { rounds: 40 }, target: three, x, classes: 3 },
  ];
  for (const c of cases) {
    const model = withThreads(1, () => getAlgorithm(c.algorithm)!.fit(train, c.target, c.options, { seed: 4 }));
    const trees = model.params.kind === 'tree-ensemble' ? model.params.trees.length : 0;
    assert.ok(n * trees >= PARALLEL_FROM_WALKS, `${c.algorithm}: enough rows × trees to fan out`);
    const one = withThreads(1, () => model.predictProba!(c.x));
    for (const threads of [2, 3]) {
      const many = withThreads(threads, () => model.predictProba!(c.x));
      assert.ok(one.every((v, i) => Object.is(v, many[i])), `${c.algorithm}, ${c.classes} classes: ${threads} threads give the same probabilities, bit for bit`);
    }
    assert.ok(one.some((v) => v > 0.01 && v < 0.99), 'the probabilities are not all certain');
  }
});

test('cross-validation folds score the same on 1 and 2 threads', { timeout: 300_000 }, () => {
  const { x, target } = data(4_000, 6);
  const fold = kFoldIndices(x.nRows, 4, 3, (target as { y: Int32Array }).y);
  const piece = { algorithm: 'logistic_regression', options: {}, x, target, fold, metrics: ['accuracy', 'roc_auc'], seed: 3, positiveIndex: 1 };
  const one = withThreads(1, () => scoreFolds(piece, 4));
  const two = withThreads(2, () => scoreFolds(piece, 4));
  assert.equal(one.length, 4);
  assert.deepEqual(two, one);
  for (const f of one) assert.ok(f.accuracy > 0.7, `a fold scores ${f.accuracy}`);
});

test("a worker's error reaches the caller with its message", { timeout: 120_000 }, () => {
  const { x, target } = data(100, 2);
  const fold = kFoldIndices(x.nRows, 2, 1);
  const pieces = [0, 1].map((f) => ({ algorithm: f === 1 ? 'no_such_algorithm' : 'logistic_regression', options: {}, x, target, fold, f, metrics: ['accuracy'], seed: 1, positiveIndex: 1 }));
  assert.throws(() => computeInParallel('cv-fold', pieces, () => ({ accuracy: 1 }), undefined, 2), /no_such_algorithm is not available/);
});

test('a raised cancel signal stops the pieces and throws CancelledError', { timeout: 120_000 }, () => {
  const { x, target } = data(2_000, 4);
  const pieces = [0, 1, 2].map((k) => ({ x, target, options: { trees: 30 }, seed: 1, from: k * 10, to: k * 10 + 10 }));
  assert.throws(() => computeInParallel('forest-trees', pieces, () => ({ trees: [], importances: [] }), { aborted: true }, 3), CancelledError);
});

test('a forest inside a cross-validation fold is grown on the thread computing the fold, with the same scores', { timeout: 300_000 }, () => {
  const { x, target } = data(6_000, 6);
  const fold = kFoldIndices(x.nRows, 3, 2, (target as { y: Int32Array }).y);
  // 4,000 training rows × 120 trees would fan out on its own; inside a fold it must not.
  const piece = { algorithm: 'random_forest', options: { trees: 120, max_depth: 6 }, x, target, fold, metrics: ['accuracy'], seed: 2, positiveIndex: 1 };
  const one = withThreads(1, () => scoreFolds(piece, 3));
  const two = withThreads(2, () => scoreFolds(piece, 3));
  assert.deepEqual(two, one);
});
