// `narml experiments`: one row per run × model from the run store, on real runs of the penguins
// sample (an option changed between two runs), and the trials of `tune` and `auto` on iris
// reaching the run's JSON, the store record and the rows, with the chosen trial marked.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentsJson, RunJson } from '../../server/src/contracts/cli-json';
import { readStoreData, sha256 } from '../../server/src/store/run-store';
import { diffRows } from '../../webviews/src/experiments-table';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, root, sample } from '../helpers/cli';

before(() => { ensureBuilt(); });

function experiments(dir: string, file: string): ExperimentsJson {
  const out = narml(['experiments', file, '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout) as ExperimentsJson;
}

test('two runs with a changed option are two rows whose diff names the option, the metric deltas and both confusion matrices', () => {
  const dir = sample('penguins');
  assert.deepEqual(experiments(dir, 'penguins.narml').rows, [], 'no runs yet');
  const evaluation = 'species_logistic_on_parts_test';
  const first = narml(['run', 'penguins.narml', evaluation, '--json'], dir);
  assert.equal(first.status, 0, first.stderr);
  const file = join(dir, 'penguins.narml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('logistic_regression(c: 1.0)', 'logistic_regression(c: 0.01)'));
  const second = narml(['run', 'penguins.narml', evaluation, '--json'], dir);
  assert.equal(second.status, 0, second.stderr);
  const [a, b] = [JSON.parse(first.stdout) as RunJson, JSON.parse(second.stdout) as RunJson];

  const { rows, file: listed, metricDirections } = experiments(dir, 'penguins.narml');
  assert.deepEqual(metricDirections, { accuracy: 'higher', balanced_accuracy: 'higher', f1: 'higher', roc_auc: 'higher', log_loss: 'lower' });
  assert.equal(listed, file);
  assert.deepEqual(rows.map((r) => [r.run, r.model, r.status]), [[a.run, 'species_logistic', 'succeeded'], [b.run, 'species_logistic', 'succeeded']]);
  assert.deepEqual(rows.map((r) => r.params.c), [1, 0.01]);
  assert.notEqual(rows[0].version, rows[1].version);
  assert.deepEqual(rows[1].evaluations[evaluation].metrics, b.evaluations[evaluation].metrics);
  assert.equal(rows[0].evaluations[evaluation].on, 'parts.test');
  const csv = readFileSync(join(dir, 'data', 'penguins.csv'));
  assert.deepEqual(rows[0].inputs, { penguins: [{ file: join(dir, 'data', 'penguins.csv'), sha256: sha256(csv) }] });
  assert.equal(rows[0].pipelineHash, sha256(readFileSync(join(root, 'samples', 'penguins', 'penguins.narml'), 'utf8')));
  assert.equal(rows[1].pipelineHash, sha256(readFileSync(file, 'utf8')));
  assert.ok(rows.every((r) => r.durationMs !== null && r.durationMs >= 0));

  const d = diffRows(rows[0], rows[1], metricDirections);
  assert.deepEqual(d.params.filter((p) => p.changed).map((p) => [p.key, p.a, p.b]), [['c', '1', '0.01']]);
  assert.deepEqual(d.params.filter((p) => !p.changed).map((p) => p.key), ['max_iter']);
  assert.equal(d.pipelineChanged, true);
  assert.deepEqual(d.inputs.map((i) => [i.dataset, i.changed]), [['penguins', false]]);
  const accuracy = d.metrics.find((m) => m.key === 'accuracy · parts.test')!;
  assert.equal(accuracy.a, a.evaluations[evaluation].metrics.accuracy);
  assert.equal(accuracy.delta, b.evaluations[evaluation].metrics.accuracy - a.evaluations[evaluation].metrics.accuracy);
  const logLoss = d.metrics.find((m) => m.key === 'log_loss · parts.test')!;
  assert.ok(logLoss.delta! > 0, 'a stronger penalty gives less confident probabilities');
  assert.equal(logLoss.better, 'a', 'a lower log loss is better');
  assert.equal(d.confusions.length, 1);
  assert.deepEqual(d.confusions[0].a?.labels, ['Adelie', 'Chinstrap', 'Gentoo']);
  assert.deepEqual(d.confusions[0].a, a.evaluations[evaluation].confusion);
  assert.deepEqual(d.confusions[0].b, b.evaluations[evaluation].confusion);

  // A changed data file shows as a changed input.
  writeFileSync(join(dir, 'data', 'penguins.csv'), `${csv.toString('utf8').trimEnd()}\n`.replace(/\n[^\n]*\n$/, '\n'));
  const third = narml(['run', 'penguins.narml', evaluation, '--json'], dir);
  assert.equal(third.status, 0, third.stderr);
  const after = experiments(dir, 'penguins.narml').rows;
  assert.equal(after.length, 3);
  assert.deepEqual(diffRows(after[1], after[2]).inputs.map((i) => [i.dataset, i.changed]), [['penguins', true]]);
  assert.equal(diffRows(after[1], after[2]).pipelineChanged, false);
});

test('tune and auto trials reach the run JSON, the store record and the rows, the chosen one marked with its reason', () => {
  const dir = sample('penguins');
  copyFileSync(join(root, 'test', 'fixtures', 'data', 'iris.csv'), join(dir, 'iris.csv'));
  writeFileSync(join(dir, 'iris.narml'), [
    'dataset iris from "iris.csv"',
    'split parts from iris { train: 80%, test: 20%, stratify: species, seed: 3 }',
    'model tuned from parts.train {\n  target: species\n  algorithm: knn\n  tune: grid { k: [1, 15, 60] }\n  cv: 4\n}',
    'model picked from parts.train {\n  target: species\n  algorithm: auto(candidates: [logistic_regression, decision_tree], metric: f1)\n}',
    'model width from parts.train {\n  target: petal_width_cm\n  exclude: [species]\n  algorithm: auto(candidates: [linear_regression, decision_tree], metric: rmse)\n}',
    'evaluate tuned on parts.test { metrics: [accuracy] }',
    'evaluate picked on parts.test { metrics: [accuracy] }',
  ].join('\n'));
  const out = narml(['run', 'iris.narml', '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  const run = JSON.parse(out.stdout) as RunJson;
  const tuned = run.models.tuned;
  assert.deepEqual(tuned.trials!.map((t) => [t.search, t.algorithm, t.options.k, t.metric, t.better, t.folds.length]), [
    ['tune', 'knn', 1, 'accuracy', 'higher', 4], ['tune', 'knn', 15, 'accuracy', 'higher', 4], ['tune', 'knn', 60, 'accuracy', 'higher', 4],
  ]);
  for (const t of tuned.trials!) {
    const folds = t.folds as number[];
    assert.ok(Math.abs(t.score! - folds.reduce((s, f) => s + f, 0) / folds.length) < 1e-12, 'the score is the mean of the folds');
    assert.ok(t.ms >= 0);
  }
  const chosen = tuned.trials!.filter((t) => t.chosen);
  assert.equal(chosen.length, 1);
  assert.equal(chosen[0].score, Math.max(...tuned.trials!.map((t) => t.score!)));
  assert.equal(tuned.options.k, chosen[0].options.k, 'the model trained with the chosen options');
  assert.match(tuned.selection!, new RegExp(`^tune chose k: ${chosen[0].options.k}: highest mean accuracy \\(0\\.\\d+\\) over 4-fold cross-validation on the training rows among 3 option combinations$`));
  assert.deepEqual(run.models.picked.trials!.map((t) => [t.search, t.algorithm, t.metric]), [['auto', 'logistic_regression', 'f1'], ['auto', 'decision_tree', 'f1']]);
  assert.equal(run.models.picked.trials!.find((t) => t.chosen)!.algorithm, run.models.picked.algorithm);
  assert.match(run.models.picked.selection!, /^auto chose (logistic_regression|decision_tree): highest mean f1 .* among 2 candidate algorithms$/);

  // An error metric: the lowest mean wins and is reported as itself, not negated.
  const width = run.models.width;
  assert.ok(width.trials!.every((t) => t.better === 'lower' && t.score! > 0), 'rmse is positive');
  assert.equal(width.trials!.find((t) => t.chosen)!.score, Math.min(...width.trials!.map((t) => t.score!)));
  assert.match(width.selection!, /^auto chose (linear_regression|decision_tree): lowest mean rmse \(\d/);

  const record = readStoreData(join(dir, 'iris.narml'))!.runs.find((r) => r.run === run.run)!;
  assert.deepEqual(record.models.tuned.trials, tuned.trials);
  const rows = experiments(dir, 'iris.narml').rows;
  assert.deepEqual(rows.map((r) => r.model), ['tuned', 'picked', 'width']);
  assert.deepEqual(rows[0].trials, tuned.trials);
  assert.equal(rows[0].selection, tuned.selection);

  // A second run reuses both models and still reports what their search tried.
  const again = JSON.parse(narml(['run', 'iris.narml', '--json'], dir).stdout) as RunJson;
  assert.deepEqual(again.reused.sort(), ['picked', 'tuned', 'width']);
  assert.deepEqual(again.models.tuned.trials, tuned.trials);
  assert.equal(again.models.picked.selection, run.models.picked.selection);
});

test('experiments needs a file; a file without runs prints how to make one', () => {
  const dir = sample('penguins');
  assert.equal(narml(['experiments'], dir).status, 2);
  const text = narml(['experiments', 'penguins.narml'], dir);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /no runs of .*penguins\.narml yet; run it with `narml run FILE`/);
});
