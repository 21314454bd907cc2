// Tree models beyond the scikit-learn agreement in algorithms.test.ts: seeded determinism,
// parameters alone reproduce predictions (what the ONNX exporter relies on), float32-exact
// thresholds, and rows with missing values routed by each split's learned side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvText } from '../../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import type { FeatureMatrix, Target } from '../../server/src/ml/model-types';
import { decisionTree } from '../../server/src/ml/decision-tree';
import { randomForest } from '../../server/src/ml/random-forest';
import { gradientBoosting } from '../../server/src/ml/gradient-boosting';
import { predictTreeEnsemble } from '../../server/src/ml/tree-ensemble';

function load(name: string, target: string): { x: FeatureMatrix; y: Target } {
  const t = readCsvText(readFileSync(join(__dirname, '..', 'fixtures', 'data', `${name}.csv`), 'utf8'), DEFAULT_CSV_OPTIONS, name);
  const features = t.names.filter((n) => n !== target);
  const columns = features.map((f) => { const c = t.columns[t.names.indexOf(f)]; if (!('values' in c)) throw new Error(f); return c.values; });
  const yc = t.columns[t.names.indexOf(target)];
  const y: Target = 'codes' in yc ? { task: 'classification', classes: yc.levels, y: yc.codes } : { task: 'regression', y: yc.values };
  return { x: { nRows: t.rowCount, columns, names: features }, y };
}

const ALGORITHMS = [decisionTree, randomForest, gradientBoosting];

for (const [name, target] of [['wine', 'cultivar'], ['breast_cancer', 'diagnosis'], ['diabetes', 'progression']] as const) {
  for (const algorithm of ALGORITHMS) {
    test(`${algorithm.name} on ${name}: parameters alone reproduce predictions; same seed, same model`, () => {
      const { x, y } = load(name, target);
      const opts = { trees: 20, rounds: 30 };
      const a = algorithm.fit(x, y, opts, { seed: 7 });
      const b = algorithm.fit(x, y, opts, { seed: 7 });
      assert.deepEqual(b.params, a.params, 'deterministic for a seed');
      assert.equal(a.params.kind, 'tree-ensemble');
      if (a.params.kind !== 'tree-ensemble') return;
      for (const tree of a.params.trees) for (const t of tree.threshold) assert.equal(Math.fround(t), t, 'thresholds are float32-exact');
      const out = predictTreeEnsemble(a.params, x);
      if (y.task === 'classification') {
        const proba = a.predictProba!(x);
        assert.deepEqual(Array.from(out), Array.from(proba));
        const k = y.classes.length;
        const pred = a.predict(x);
        for (let i = 0; i < x.nRows; i++) {
          let best = 0;
          for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
          assert.equal(pred[i], best);
        }
      } else {
        assert.deepEqual(Array.from(out), Array.from(a.predict(x)));
      }
      const imp = a.featureImportances!();
      assert.ok(Math.abs(imp.reduce((s, v) => s + v, 0) - 1) < 1e-9, 'importances sum to 1');
    });
  }
}

test('random forest seeds differ, and progress reaches 1', () => {
  const { x, y } = load('wine', 'cultivar');
  const seen: number[] = [];
  const a = randomForest.fit(x, y, { trees: 10 }, { seed: 1, onProgress: (f) => seen.push(f) });
  const b = randomForest.fit(x, y, { trees: 10 }, { seed: 2 });
  assert.notDeepEqual(a.params, b.params);
  if (seen.length > 0) assert.equal(seen[seen.length - 1], 1);
});

test('gradient boosting routes missing values by the learned side of each split', () => {
  const { x, y } = load('breast_cancer', 'diagnosis');
  // Half the rows lose their first feature: every split on it must send NaN to a learned side.
  const holed = x.columns.map((c) => Float64Array.from(c));
  const yy = (y as { y: Int32Array }).y;
  for (let i = 0; i < x.nRows; i++) if (i % 2 === 0) holed[0][i] = NaN;
  const hx = { ...x, columns: holed };
  const model = gradientBoosting.fit(hx, y, {}, { seed: 1 });
  assert.equal(model.params.kind, 'tree-ensemble');
  if (model.params.kind !== 'tree-ensemble') return;
  const pred = model.predict(hx);
  let right = 0;
  for (let i = 0; i < x.nRows; i++) if (pred[i] === yy[i]) right++;
  assert.ok(right / x.nRows > 0.95, `training accuracy with missing values ${right / x.nRows}`);
  const usesFeature0 = model.params.trees.some((t) => t.feature.includes(0));
  if (usesFeature0) {
    // A row whose only missing cell is feature 0 still gets a finite probability.
    const one = { nRows: 1, names: x.names, columns: holed.map((c) => Float64Array.of(c[0])) };
    const p = predictTreeEnsemble(model.params, one);
    assert.ok(p.every((v) => Number.isFinite(v)));
  }
});
