// `tune: grid(metric: ...)` / `random(metric: ...)`: the trials are ranked by that metric on real
// samples (f1 and roc_auc on the penguins, rmse on the cars, where lower wins), the reason names
// the metric, `narml run` prints the leaderboard, and a metric of the other task is refused.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelJson, RunJson } from '../../server/src/contracts/cli-json';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, sample } from '../helpers/cli';

before(() => { ensureBuilt(); });

/** The sample with one extra tuned model appended, and the model as the run reports it. */
function tuned(name: string, file: string, model: string, evaluation: string): { run: RunJson; model: ModelJson; dir: string } {
  const dir = sample(name);
  const path = join(dir, file);
  writeFileSync(path, `${readFileSync(path, 'utf8')}\n${model}\n${evaluation}\n`);
  const out = narml(['run', file, '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  const run = JSON.parse(out.stdout) as RunJson;
  return { run, model: run.models.tuned, dir };
}

function assertBestBy(m: ModelJson, metric: string, better: 'higher' | 'lower', tried: number): void {
  const trials = m.trials!;
  assert.equal(trials.length, tried);
  assert.ok(trials.every((t) => t.search === 'tune' && t.metric === metric && t.better === better));
  const scores = trials.map((t) => t.score!);
  assert.ok(scores.every((s) => Number.isFinite(s)));
  assert.ok(new Set(scores).size > 1, 'the grid gives different scores, so the ranking is tested');
  const chosen = trials.filter((t) => t.chosen);
  assert.equal(chosen.length, 1);
  const best = better === 'higher' ? Math.max(...scores) : Math.min(...scores);
  assert.equal(chosen[0].score, best);
  assert.equal(trials.find((t) => t.score === best), chosen[0], 'the first of tied trials is kept');
  for (const t of trials) {
    const folds = t.folds as number[];
    assert.ok(Math.abs(folds.reduce((a, b) => a + b, 0) / folds.length - t.score!) < 1e-12);
  }
  assert.match(m.selection!, new RegExp(`${better === 'higher' ? 'highest' : 'lowest'} mean ${metric} \\(`));
  for (const [k, v] of Object.entries(chosen[0].options)) assert.deepEqual(m.options[k], v);
}

test('grid(metric: f1) on the penguins keeps the depth with the highest cross-validated macro f1', () => {
  const { model } = tuned('penguins', 'penguins.narml',
    'model tuned from parts.train {\n  target: Species\n  algorithm: decision_tree\n  tune: grid(metric: f1) { max_depth: [1, 2, 3, 6] }\n  cv: 4\n}',
    'evaluate tuned on parts.test {\n  metrics: [f1]\n}');
  assertBestBy(model, 'f1', 'higher', 4);
  assert.ok(model.trials!.every((t) => t.folds.length === 4));
});

test('random(metric: roc_auc) on the penguins ranks by the area under the ROC curve', () => {
  const { model } = tuned('penguins', 'penguins.narml',
    'model tuned from parts.train {\n  target: Species\n  algorithm: knn\n  tune: random(trials: 3, metric: roc_auc) { k: [1, 2, 5, 25, 60] }\n}',
    'evaluate tuned on parts.test {\n  metrics: [roc_auc]\n}');
  assertBestBy(model, 'roc_auc', 'higher', 3);
});

test('grid(metric: rmse) on the cars keeps the lowest error, and narml run prints the leaderboard with the chosen trial marked', () => {
  const model = 'model tuned from parts.train {\n  target: Miles_per_Gallon\n  algorithm: decision_tree\n  tune: grid(metric: rmse) { max_depth: [1, 2, 4, 8] }\n}';
  const evaluation = 'evaluate tuned on parts.test {\n  metrics: [rmse]\n}';
  const { model: m, dir } = tuned('cars', 'cars.narml', model, evaluation);
  assertBestBy(m, 'rmse', 'lower', 4);
  const text = narml(['run', 'cars.narml', 'tuned_on_parts_test'], dir);
  assert.equal(text.status, 0, text.stderr);
  const lines = text.stdout.split('\n');
  const head = lines.findIndex((l) => l.includes('tune leaderboard (rmse, lower is better; 4 of 4 trials)'));
  assert.ok(head >= 0, text.stdout);
  const rows = lines.slice(head + 1, head + 5);
  const scores = rows.map((l) => Number(/^\s+[* ]\s+\d+\. (\S+)/.exec(l)![1]));
  assert.deepEqual(scores, [...scores].sort((a, b) => a - b), 'lowest rmse first');
  assert.match(rows[0], /^\s+\* +1\. /, 'the chosen trial is first and marked');
  assert.ok(rows.slice(1).every((l) => !/^\s+\*/.test(l)));
  assert.ok(rows.every((l) => /max_depth: \d+ /.test(l) && !l.includes('min_samples_leaf')), 'a trial is named by the tuned option only');
  assert.match(lines[head + 5], /tune chose max_depth: \d+: lowest mean rmse/);
});

test('a metric of the other task on tune is the wrong-task diagnostic listing the task\'s metrics', () => {
  const dir = sample('cars');
  const path = join(dir, 'cars.narml');
  writeFileSync(path, `${readFileSync(path, 'utf8')}\nmodel tuned from parts.train {\n  target: Miles_per_Gallon\n  algorithm: decision_tree\n  tune: grid(metric: f1) { max_depth: [2, 4] }\n}\n`);
  const out = narml(['check', 'cars.narml'], dir);
  assert.equal(out.status, 1);
  assert.match(out.stdout, /NML120.*f1 is a classification metric but this model is a regression; use rmse, mae, r2, mape/);
});
