// Learning options through `narml run`: the option reaches every fit (tuning trials and the final
// model), is recorded with the model's options, and changes what the model learns.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, root } from '../helpers/cli';

before(() => { ensureBuilt(); });

/** A folder holding seattle-weather.csv (snow, drizzle and fog are 2 to 7 % of the days) and `pipeline`. */
function weather(pipeline: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'narml-learnopts-'));
  copyFileSync(join(root, 'test', 'fixtures', 'data', 'seattle-weather.csv'), join(dir, 'seattle-weather.csv'));
  writeFileSync(join(dir, 'p.narml'), `dataset w from "seattle-weather.csv"
transform t from w { drop date }
split parts from t { train: 75%, test: 25%, stratify: weather, seed: 3 }
${pipeline}`);
  return dir;
}

test('class_weight: balanced reaches the tuning trials and the final fit, and lifts the rare classes\' recall', () => {
  const dir = weather(`model plain from parts.train {
  target: weather
  algorithm: logistic_regression(max_iter: 500)
}
model weighted from parts.train {
  target: weather
  algorithm: logistic_regression(max_iter: 500)
  class_weight: balanced
  tune: grid(metric: balanced_accuracy) { c: [0.1, 1] }
}
evaluate plain on parts.test { metrics: [balanced_accuracy] }
evaluate weighted on parts.test { metrics: [balanced_accuracy] }
`);
  const out = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  const run = JSON.parse(out.stdout) as RunJson;
  assert.equal(run.models.weighted.options.class_weight, 'balanced');
  assert.equal(run.models.plain.options.class_weight, undefined);
  assert.deepEqual(run.models.weighted.trials!.map((t) => t.options.class_weight), ['balanced', 'balanced']);
  // Unweighted, the model never predicts drizzle, fog or snow (balanced accuracy near 2 of 5 classes).
  const plain = run.evaluations.plain_on_parts_test.metrics.balanced_accuracy!;
  const weighted = run.evaluations.weighted_on_parts_test.metrics.balanced_accuracy!;
  assert.ok(weighted > plain + 0.1, `balanced accuracy ${plain} → ${weighted}`);
});

test('early_stopping scores the split\'s validation part when the model trains on its train part, else a holdout of the training rows; the rounds are recorded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-learnopts-'));
  copyFileSync(join(root, 'test', 'fixtures', 'data', 'seattle-weather.csv'), join(dir, 'seattle-weather.csv'));
  writeFileSync(join(dir, 'p.narml'), `dataset w from "seattle-weather.csv"
transform t from w { drop date }
split parts from t { train: 60%, validation: 20%, test: 20%, stratify: weather, seed: 3 }
model on_part from parts.train {
  target: weather
  algorithm: gradient_boosting(rounds: 300, early_stopping: 5)
}
model on_holdout from t {
  target: weather
  algorithm: gradient_boosting(rounds: 300, early_stopping: 5, validation_fraction: 0.2)
}
model plain from parts.train {
  target: weather
  algorithm: gradient_boosting(rounds: 30)
}
`);
  const out = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  const run = JSON.parse(out.stdout) as RunJson;
  const part = run.models.on_part.earlyStopping!;
  // 20 % of 1,461 days.
  assert.equal(part.on, 'validation');
  assert.equal(part.rows, 292);
  assert.ok(part.rounds < 300 && part.rounds > 5, `${part.rounds} rounds`);
  assert.equal(run.models.on_part.trainRows, 877);
  const held = run.models.on_holdout.earlyStopping!;
  assert.equal(held.on, 'holdout');
  assert.equal(held.rows, Math.ceil(0.2 * 1461));
  assert.ok(held.rounds < 300, `${held.rounds} rounds`);
  assert.equal(run.models.plain.earlyStopping, undefined);
  const text = narml(['run', 'p.narml'], dir);
  assert.match(text.stdout, new RegExp(`early stopping: ${part.rounds} of 300 rounds, the loss scored on the validation part \\(292 rows\\)`));
});

test('a tiny budget stops tune: random(trials: 200) cleanly: the trials that ran are recorded, the best of them is chosen, and the reason says the budget stopped it', () => {
  const dir = weather(`model m from parts.train {
  target: weather
  algorithm: random_forest
  tune: random(trials: 200, budget: 1s, metric: balanced_accuracy) { trees: [20, 40, 60], max_depth: [0, 4, 8, 12], min_samples_leaf: [1, 2, 5, 10, 20] }
  cv: 3
}
model a from parts.train {
  target: weather
  algorithm: auto(candidates: [naive_bayes, knn], budget: 120s)
}
`);
  const out = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  const m = JSON.parse(out.stdout).models as RunJson['models'];
  const trials = m.m.trials!;
  // 60 combinations exist; a forest's 3-fold cross-validation takes far more than the 1 s left for them all.
  const [budget] = m.m.budgets!;
  assert.equal(budget.search, 'tune');
  assert.equal(budget.budgetMs, 1000);
  assert.equal(budget.planned, 60);
  assert.equal(budget.stopped, true);
  assert.equal(budget.ran, trials.length);
  assert.ok(trials.length >= 1 && trials.length < 60, `${trials.length} trials`);
  const chosen = trials.filter((t) => t.chosen);
  assert.equal(chosen.length, 1);
  assert.equal(chosen[0].score, Math.max(...trials.map((t) => t.score!)));
  assert.match(m.m.selection!, new RegExp(`the budget of 1 s ran out after ${trials.length} of 60 option combinations`));
  // auto's default budget is recorded too; two quick candidates fit in it.
  assert.deepEqual({ ...m.a.budgets![0], elapsedMs: 0 }, { search: 'auto', budgetMs: 120_000, elapsedMs: 0, ran: 2, planned: 2, stopped: false });
});

test('tune: halving through narml run: each trial says its round and rows, in the JSON and the printed leaderboard', () => {
  const dir = weather(`model m from parts.train {
  target: weather
  algorithm: knn
  tune: halving(factor: 3, metric: balanced_accuracy) { k: [1, 3, 5, 7, 9, 15, 25, 35, 51] }
  cv: 3
}
`);
  const out = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  const trials = (JSON.parse(out.stdout) as RunJson).models.m.trials!;
  // 9 combinations, factor 3: 9 on 1096 // 9 = 121 rows (at least 2 × 3 folds × 5 classes), 3 on 363, 1 on 1089.
  assert.deepEqual(trials.map((t) => t.round), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2]);
  assert.deepEqual([...new Set(trials.map((t) => t.rows))], [121, 363, 1089]);
  assert.equal(trials[12].chosen, true);
  const text = narml(['run', 'p.narml'], dir).stdout;
  assert.match(text, /\* {2}1\. \S+ {2}k: \d+ {2}\(round 3 on 1089 rows; folds/);
});
