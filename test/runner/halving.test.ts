// tune: halving against scikit-learn's HalvingGridSearchCV(random_state=42, the run's seed)
// (test/ml/reference/learning_options_reference.py) on breast_cancer's training rows, factor 3, 5
// folds. The plan (rows and candidates per round), each round's subsampled folds and the order in
// which candidates go on are scikit-learn's: kNN (exact) over k from 1 to 30 on f1 gives every
// trial's fold scores and the choice of HalvingGridSearchCV. A decision tree breaks ties between
// equally good splits otherwise than scikit-learn (which tries features in a random order), so on
// 40 combinations of max_depth and min_samples_leaf its choice is judged by every combination's
// 5-fold score on all the training rows (GridSearchCV's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelInfo } from '../../server/src/checker/checked-model';
import { halvingSchedule } from '../../server/src/ml/halving';
import { trainModel } from '../../server/src/runner/train-model';
import { leaderboard } from '../../server/src/store/leaderboard';
import { loadFixtureSplit } from '../helpers/fixture-split';

/* eslint-disable @typescript-eslint/no-explicit-any */
const expected = JSON.parse(readFileSync(join(__dirname, '..', 'ml', 'reference', 'learning_options_expected.json'), 'utf8'));
const ref = expected.halving as Record<string, any>;
const SPACE = { max_depth: [1, 2, 3, 4, 5, 6, 8, 0], min_samples_leaf: [1, 2, 5, 10, 20] };

function info(method: string, options: Record<string, number | string>, algorithm: ModelInfo['algorithm'] = { name: 'decision_tree', options: { max_depth: 0, min_samples_leaf: 1 } }, space: Record<string, number[]> = SPACE): ModelInfo {
  return {
    kind: 'model', name: 'm', input: 't', task: 'classification', target: 'diagnosis', features: [], featureChoice: { listed: false, exclude: [] }, inputColumns: [],
    algorithm, tune: { method: { name: method, options: { metric: 'accuracy', ...options } }, space, cv: 5 },
  };
}

test('tune: halving over kNN is HalvingGridSearchCV: the same subsampled folds, fold scores, survivors in the same order, and choice', () => {
  const knn = expected.halving_knn;
  const d = loadFixtureSplit('breast_cancer', 'diagnosis', true);
  const out = trainModel(info('halving', { factor: 3, min_rows: 0, metric: 'f1' }, { name: 'knn', options: { k: 5 } }, { k: Array.from({ length: 30 }, (_, i) => i + 1) }), d.train, d.yTrain, { seed: 42 });
  // Every round tries scikit-learn's candidates in scikit-learn's order (the survivors as numpy's argsort leaves them).
  assert.deepEqual(out.trials.map((t) => [t.round, t.options.k]), knn.trials.map((t: any) => [t.round, t.k]));
  assert.deepEqual([...new Set(out.trials.map((t) => t.rows))], knn.n_resources);
  out.trials.forEach((t, i) => {
    // scikit-learn cannot fit k beyond a fold's 16 training rows (NaN): those trials are NarML's own.
    if (knn.trials[i].score === null) return;
    t.folds.forEach((f, j) => assert.ok(Math.abs(f! - knn.trials[i].folds[j]) < 1e-12, `round ${t.round} k ${t.options.k} fold ${j}: ${f} vs ${knn.trials[i].folds[j]}`));
  });
  assert.equal(out.options.k, knn.best);
  assert.equal(out.trials.find((t) => t.chosen)!.options.k, knn.best);
});

test('the plan of rounds is HalvingGridSearchCV\'s: rows and candidates per round', () => {
  const d = loadFixtureSplit('breast_cancer', 'diagnosis', false);
  // min_resources='exhaust' from scikit-learn's smallest, 2 × 5 folds × 2 classes.
  const plan = halvingSchedule(40, d.train.nRows, 3, 0, 2 * 5 * 2);
  assert.deepEqual(plan.map((r) => r.rows), ref.n_resources);
  assert.deepEqual(plan.map((r) => r.candidates), ref.n_candidates);
  // A given min_rows starts there; the rows never exceed the training rows; fewer candidates than factor is one round.
  assert.deepEqual(halvingSchedule(40, 427, 3, 10, 20), [{ rows: 10, candidates: 40 }, { rows: 30, candidates: 14 }, { rows: 90, candidates: 5 }, { rows: 270, candidates: 2 }]);
  assert.deepEqual(halvingSchedule(2, 427, 3, 0, 20), [{ rows: 427, candidates: 2 }]);
  assert.deepEqual(halvingSchedule(9, 100, 2, 0, 4), [{ rows: 12, candidates: 9 }, { rows: 24, candidates: 5 }, { rows: 48, candidates: 3 }, { rows: 96, candidates: 2 }]);
});

test('tune: halving runs the plan, keeps the best third each round, and chooses as well as HalvingGridSearchCV does', () => {
  const d = loadFixtureSplit('breast_cancer', 'diagnosis', false);
  const out = trainModel(info('halving', { factor: 3, min_rows: 0 }), d.train, d.yTrain, { seed: 42 });
  const rounds = ref.n_resources.map((rows: number, r: number) => out.trials.filter((t) => t.round === r && t.rows === rows).length);
  assert.deepEqual(rounds, ref.n_candidates);
  assert.equal(out.trials.length, 40 + 14 + 5);
  // Each round's candidates are the best ceil(n / 3) of the round before (ties as numpy's argsort leaves them).
  for (let r = 1; r < ref.n_resources.length; r++) {
    const before = out.trials.filter((t) => t.round === r - 1);
    const kept = out.trials.filter((t) => t.round === r);
    const worstKept = Math.min(...kept.map((t) => before.find((b) => JSON.stringify(b.options) === JSON.stringify(t.options))!.score!));
    const left = before.filter((b) => !kept.some((t) => JSON.stringify(b.options) === JSON.stringify(t.options)));
    assert.ok(left.every((b) => b.score! <= worstKept), `round ${r} left out a candidate better than one it kept`);
  }
  // The leaderboard ranks the last round first: the chosen trial leads it.
  assert.equal(leaderboard(out.trials).entries[0].trial.chosen, true);
  const chosen = out.trials.filter((t) => t.chosen);
  assert.equal(chosen.length, 1);
  assert.equal(chosen[0].round, ref.n_resources.length - 1);
  assert.deepEqual({ max_depth: out.options.max_depth, min_samples_leaf: out.options.min_samples_leaf }, { max_depth: chosen[0].options.max_depth, min_samples_leaf: chosen[0].options.min_samples_leaf });
  assert.match(out.selection!, /among the 5 combinations of round 3 of successive halving \(factor 3; 40 on 20, then 14 on 60, then 5 on 180 sampled rows\)/);
  // Judged on all the training rows: our choice scores within 0.01 of scikit-learn's halving choice
  // (0.930 for max_depth 4, min_samples_leaf 5; ours 0.925 for max_depth 2: one fold of 4 rows in
  // the first round scores 1 where scikit-learn's tree, with another split among equals, scores 0.93).
  const full = (p: { max_depth: unknown; min_samples_leaf: unknown }): number => ref.full_scores.find((f: any) => f.max_depth === p.max_depth && f.min_samples_leaf === p.min_samples_leaf).score;
  const theirs = full(ref.best);
  const ours = full({ max_depth: out.options.max_depth, min_samples_leaf: out.options.min_samples_leaf });
  assert.ok(ours >= theirs - 0.01, `our choice scores ${ours} on all rows, scikit-learn's halving choice ${theirs}`);
});

test('halving(trials: 12) halves the 12 combinations random(trials: 12) draws, on the plan of 12 candidates', () => {
  const d = loadFixtureSplit('breast_cancer', 'diagnosis', false);
  const drawn = trainModel(info('random', { trials: 12 }), d.train, d.yTrain, { seed: 42 }).trials.map((t) => JSON.stringify(t.options));
  const out = trainModel(info('halving', { factor: 3, min_rows: 0, trials: 12 }), d.train, d.yTrain, { seed: 42 });
  const plan = halvingSchedule(12, d.train.nRows, 3, 0, 2 * 5 * 2);
  assert.deepEqual(plan.map((r) => r.candidates), [12, 4, 2]);
  assert.deepEqual(plan.map((r) => r.rows).map((rows, r) => out.trials.filter((t) => t.round === r && t.rows === rows).length), [12, 4, 2]);
  assert.deepEqual(out.trials.filter((t) => t.round === 0).map((t) => JSON.stringify(t.options)).sort(), [...drawn].sort());
  const last = out.trials.filter((t) => t.round === 2);
  const chosen = out.trials.find((t) => t.chosen)!;
  assert.equal(chosen.round, 2);
  assert.equal(chosen.score, Math.max(...last.map((t) => t.score!)));
});

test('halving under a budget stops between trials and chooses among the round it reached', () => {
  const d = loadFixtureSplit('breast_cancer', 'diagnosis', false);
  // 1 ms: only the first trial runs.
  const out = trainModel(info('halving', { factor: 3, min_rows: 0, budget: 1 }), d.train, d.yTrain, { seed: 42 });
  assert.equal(out.trials.length, 1);
  assert.equal(out.trials[0].chosen, true);
  assert.deepEqual(out.budgets.map((b) => [b.ran, b.planned, b.stopped]), [[1, 59, true]]);
  assert.match(out.selection!, /the budget of 0.001 s ran out after 1 of 59 trials/);
});
