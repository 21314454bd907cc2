// smote needs k + 1 rows of a class to interpolate between neighbours; imbalanced-learn refuses a
// smaller class. The run goes on (a lone row is copied) but must say so, not hide it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { runPipeline } from '../../server/src/runner/run-pipeline';

test('smote on a class of one training row warns with the class, the count and the fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-resample-'));
  copyFileSync(join(__dirname, '..', 'fixtures', 'pipelines', 'data', 'orders.csv'), join(dir, 'orders.csv'));
  const text = `dataset orders from "orders.csv"
transform prepared from orders {
  keep spend, member, tier
  encode member as onehot
}
split parts from prepared { train: 80%, test: 20%, stratify: tier, seed: 2 }
model tiers from parts.train { target: tier, algorithm: logistic_regression, resample: smote(k: 5) }
model plain from parts.train { target: tier, algorithm: logistic_regression, resample: oversample }`;
  const r = await runPipeline(await checkWithFullSchemas(text, join(dir, 'p.narml')));
  assert.equal(r.status, 'succeeded', r.error);
  assert.deepEqual(r.warnings, ['model tiers: smote(k: 5): class "platinum" has 1 training row, fewer than k + 1 = 6, so its new rows copy that row (imbalanced-learn refuses this); lower k or give the class more rows']);
});
