// Early stopping of gradient boosting against scikit-learn's HistGradientBoosting* with
// early_stopping=True, scoring='loss', n_iter_no_change=10 on breast_cancer, seattle-weather and
// diabetes: on fixed validation rows (every fifth training row, handed to scikit-learn's own early
// stopping by test/ml/reference/learning_options_reference.py) the validation loss after every
// round and the round it stops at; on an internal holdout (whose rows scikit-learn draws otherwise)
// the test score.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boostingLoss, holdoutRows, shouldStop } from '../../server/src/ml/early-stopping';
import type { AlgorithmOptions, FittedModel, ModelParams, Target, TrainContext } from '../../server/src/ml/model-types';
import { getAlgorithm } from '../../server/src/ml/registry';
import { subsetMatrix, subsetTarget } from '../../server/src/ml/subset';
import { treeEnsembleMargins } from '../../server/src/ml/tree-ensemble';
import { loadFixtureSplit, type Data } from '../helpers/fixture-split';

/* eslint-disable @typescript-eslint/no-explicit-any */
const expected = JSON.parse(readFileSync(join(__dirname, 'reference', 'learning_options_expected.json'), 'utf8')).early_stopping as Record<string, any>;

const OPTIONS: AlgorithmOptions = { rounds: 500, max_depth: 3, learning_rate: 0.1, min_samples_leaf: 20, l2_regularization: 0, early_stopping: 10, validation_fraction: 0.1 };
const SETS = [['breast_cancer', 'diagnosis'], ['seattle-weather', 'weather'], ['diabetes', 'progression']] as const;

type Ensemble = Extract<ModelParams, { kind: 'tree-ensemble' }>;

function fit(d: Data, options: AlgorithmOptions, ctx: TrainContext): { model: FittedModel; params: Ensemble } {
  const model = getAlgorithm('gradient_boosting')!.fit(d.train, d.yTrain, options, ctx);
  return { model, params: model.params as Ensemble };
}

/** The loss on `d` of the first r rounds, for r = 0 (the baseline) up to every round the model has. */
function lossCurve(p: Ensemble, d: { x: Data['train']; target: Target }): number[] {
  const k = p.base.length;
  const out: number[] = [];
  for (let r = 0; r * k <= p.trees.length; r++) {
    const first = { ...p, trees: p.trees.slice(0, r * k), ...(p.treeOutput ? { treeOutput: p.treeOutput.slice(0, r * k) } : {}) };
    out.push(boostingLoss(treeEnsembleMargins(first, d.x), d.target, k));
  }
  return out;
}

function testScore(model: FittedModel, d: Data): number {
  const pred = model.predict(d.test);
  const y = d.yTest.y;
  if (d.yTest.task === 'classification') return pred.reduce((s, v, i) => s + (v === y[i] ? 1 : 0), 0) / y.length;
  return Math.sqrt(pred.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / y.length);
}

test('the stopping rule is scikit-learn\'s: no score of the last n beats the one n + 1 back by more than tol', () => {
  assert.equal(shouldStop([-1, -0.5], 2), false, 'fewer than n + 1 scores never stop');
  assert.equal(shouldStop([-1, -0.5, -0.5], 2), false, 'the last two beat the first');
  assert.equal(shouldStop([-1, -0.5, -0.5, -0.5], 2), true, 'neither of the last two beats -0.5');
  assert.equal(shouldStop([-1, -0.5, -0.5 + 5e-8, -0.5 + 9e-8], 2), true, 'gains below tol (1e-7) do not count');
  assert.equal(shouldStop([-1, -0.5, -0.5, -0.4999], 2), false, 'a gain above tol does');
});

test('the internal holdout is stratified by class, disjoint and seeded; ceil(fraction × rows) that leave nothing to fit on are refused', () => {
  const y = Int32Array.from({ length: 103 }, (_, i) => (i < 80 ? 0 : i < 97 ? 1 : 2));
  const a = holdoutRows(103, 11, 42, y);
  assert.equal(a.held.length, 11);
  assert.equal(a.fit.length + a.held.length, 103);
  assert.equal(new Set([...a.fit, ...a.held]).size, 103);
  const heldOf = (c: number): number => [...a.held].filter((r) => y[r] === c).length;
  // 11 × 80/103 = 8.5, 11 × 17/103 = 1.8, 11 × 6/103 = 0.6: floors 8, 1, 0 and the two largest remainders.
  assert.deepEqual([heldOf(0), heldOf(1), heldOf(2)], [8, 2, 1]);
  assert.deepEqual(holdoutRows(103, 11, 42, y), a);
  assert.notDeepEqual(holdoutRows(103, 11, 7, y).held, a.held);
  assert.throws(() => getAlgorithm('gradient_boosting')!.fit({ nRows: 5, names: ['a'], columns: [Float64Array.of(1, 2, 3, 4, 5)] }, { task: 'regression', y: Float64Array.of(1, 2, 3, 4, 5) }, { ...OPTIONS, validation_fraction: 0.9 }, { seed: 1 }), /validation_fraction 0.9 of the 5 training rows, which leaves no row to fit on/);
});

for (const [name, target] of SETS) {
  const ref = expected[name];
  const d = loadFixtureSplit(name, target, false, ['date']);

  test(`early stopping on given validation rows of ${name} follows HistGradientBoosting's validation loss and stops where it does`, () => {
    const isVal = Int32Array.from({ length: d.train.nRows }, (_, i) => i).filter((i) => i % 5 === 0);
    const isFit = Int32Array.from({ length: d.train.nRows }, (_, i) => i).filter((i) => i % 5 !== 0);
    const fitData: Data = { ...d, train: subsetMatrix(d.train, isFit), yTrain: subsetTarget(d.yTrain, isFit) };
    const validation = { x: subsetMatrix(d.train, isVal), target: subsetTarget(d.yTrain, isVal) };
    const { params } = fit(fitData, OPTIONS, { seed: 0, validation });
    assert.deepEqual(params.earlyStopping, { on: 'validation', rows: isVal.length, rounds: params.trees.length / params.base.length, maxRounds: 500 });
    const ours = lossCurve(params, validation);
    const theirs = ref.given.validation_loss as number[];
    // The rule applied to our own curve stops exactly where the model stopped.
    const scores = ours.map((l) => -l);
    const stop = scores.findIndex((_, r) => shouldStop(scores.slice(0, r + 1), 10));
    assert.equal(stop, ours.length - 1);
    // The same baseline, then trees on slightly other bin edges (scikit-learn's are quantiles of a
    // subsample): the losses agree within 0.5 % round by round (0.04 % at worst today), and the
    // rule stops at the same round.
    assert.ok(Math.abs(ours[0] - theirs[0]) < 1e-9, `baseline loss ${ours[0]} vs ${theirs[0]}`);
    const span = Math.min(ours.length, theirs.length);
    let worst = 0;
    for (let r = 0; r < span; r++) worst = Math.max(worst, Math.abs(ours[r] - theirs[r]) / theirs[r]);
    assert.ok(worst < 0.005, `validation losses differ by up to ${(worst * 100).toFixed(2)} %`);
    assert.equal(ours.length - 1, ref.given.rounds);
  });

  test(`early stopping on an internal holdout of ${name} scores the test rows as HistGradientBoosting does`, () => {
    const { model, params } = fit(d, OPTIONS, { seed: 42 });
    const rounds = params.trees.length / params.base.length;
    assert.deepEqual(params.earlyStopping, { on: 'holdout', rows: Math.ceil(0.1 * d.train.nRows), rounds, maxRounds: 500 });
    assert.ok(rounds < 500, `${rounds} rounds`);
    const ours = testScore(model, d);
    const theirs = ref.holdout.score as number;
    // Other held-out rows (scikit-learn draws them with its own generator): the test score, not the round, is comparable.
    const tolerance = d.yTest.task === 'classification' ? 0.03 : 0.06 * theirs;
    assert.ok(Math.abs(ours - theirs) <= tolerance, `test score ${ours} vs scikit-learn's ${theirs}`);
  });
}

test('without early_stopping every round is boosted and nothing is recorded', () => {
  const d = loadFixtureSplit('breast_cancer', 'diagnosis', false);
  const { params } = fit(d, { ...OPTIONS, rounds: 40, early_stopping: 0 }, { seed: 0, validation: { x: d.test, target: d.yTest } });
  assert.equal(params.trees.length, 40);
  assert.equal(params.earlyStopping, undefined);
});
