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
