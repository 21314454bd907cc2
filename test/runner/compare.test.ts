// `compare` names a winner only when the p-value is below alpha; otherwise it reports no
// significant difference and names the better-scoring model as the leader. The p-value says
// which outcome it is about, and the default test is one that judges the metric. Real data
// (iris), run in process on a temporary copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import type { ComparisonJson } from '../../server/src/contracts/cli-json';
import { runPipeline } from '../../server/src/runner/run-pipeline';

const data = join(__dirname, '..', 'fixtures', 'data');

async function comparisons(body: string): Promise<Record<string, ComparisonJson>> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-compare-'));
  copyFileSync(join(data, 'iris.csv'), join(dir, 'iris.csv'));
  const file = join(dir, 'compare.narml');
  const text = `dataset iris from "iris.csv"
split p from iris { train: 70%, test: 30%, stratify: species, seed: 2 }
model k5 from p.train { target: species, algorithm: knn(k: 5) }
model tree from p.train { target: species, algorithm: decision_tree }
model stump from p.train { target: species, algorithm: decision_tree(max_depth: 1) }
${body}`;
  writeFileSync(file, text);
  const checked = await checkWithFullSchemas(text, file);
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const run = await runPipeline(checked);
  assert.equal(run.status, 'succeeded', run.error);
  return run.comparisons;
}

test('a difference that is not significant names no winner, only the leader', async () => {
  const { close } = await comparisons('compare k5, tree on p.test as close { metric: accuracy }');
  assert.ok(close.scores.k5 > close.scores.tree, JSON.stringify(close.scores));
  assert.ok(close.p_value >= 0.05, `p = ${close.p_value}`);
  assert.equal(close.winner, null);
  assert.equal(close.leader, 'k5');
  assert.equal(close.significant, false);
  assert.equal(close.alpha, 0.05);
  assert.equal(close.test, 'mcnemar');
  assert.match(close.p_value_about, /right and the other wrong.*accuracy/);
});

test('a significant difference names the winner; a stricter alpha withholds it', async () => {
  const c = await comparisons(`compare k5, stump on p.test as clear { metric: accuracy }
compare k5, stump on p.test as strict { metric: accuracy, alpha: 0.0001 }`);
  assert.ok(c.clear.p_value < 0.05, `p = ${c.clear.p_value}`);
  assert.equal(c.clear.winner, 'k5');
  assert.equal(c.clear.significant, true);
  assert.equal(c.strict.p_value, c.clear.p_value);
  assert.ok(c.strict.p_value >= 0.0001);
  assert.equal(c.strict.winner, null);
  assert.equal(c.strict.leader, 'k5');
  assert.equal(c.strict.alpha, 0.0001);
});

test('a metric McNemar cannot judge is tested by the bootstrap of that metric', async () => {
  const { by_f1 } = await comparisons('compare stump, k5 on p.test as by_f1 { metric: f1 }');
  assert.equal(by_f1.test, 'bootstrap');
  assert.match(by_f1.p_value_about, /f1/);
  assert.equal(by_f1.leader, 'k5');
  assert.equal(by_f1.winner, by_f1.p_value < 0.05 ? 'k5' : null);
});

test('models that can score different rows are compared on the rows both scored, and the run says why rows were left out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-compare-'));
  copyFileSync(join(__dirname, '..', 'fixtures', 'pipelines', 'data', 'shop.csv'), join(dir, 'shop.csv'));
  const file = join(dir, 'rows.narml');
  // The stray "." region only the test part holds encodes as a missing ordinal: logistic
  // regression cannot score that row, gradient boosting can.
  const text = `dataset shop from "shop.csv" { missing: [""] }
transform prep from shop {
  drop order_id, channel
  impute basket with median
  encode region as ordinal
  encode returning, grade as onehot
}
split parts from prep { train: 70%, test: 30%, stratify: churned, seed: 3 }
model lr from parts.train { target: churned, algorithm: logistic_regression }
model gb from parts.train { target: churned, algorithm: gradient_boosting(rounds: 10) }
evaluate gb on parts.test { metrics: [accuracy] }
compare lr, gb on parts.test`;
  writeFileSync(file, text);
  const run = await runPipeline(await checkWithFullSchemas(text, file));
  assert.equal(run.status, 'succeeded', run.error);
  assert.equal(run.evaluations.gb_on_parts_test.rows, 87);
  assert.ok(run.comparisons.lr_vs_gb_on_parts_test.p_value >= 0);
  assert.ok(run.warnings?.some((w) => /compare lr_vs_gb_on_parts_test: 1 rows of "parts.test" are not scored: a feature of "lr" is missing/.test(w)), JSON.stringify(run.warnings));
});
