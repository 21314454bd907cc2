// Tree models beyond the scikit-learn agreement in algorithms.test.ts: seeded determinism,
// parameters alone reproduce predictions (what the ONNX exporter relies on), float32-exact
// thresholds, rows with missing values routed by each split's learned side, and flattened scoring
// bit-identical to a tree-by-tree walk over the parameters.
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
import { ensembleOutputs, FLATTEN_FROM_ROWS, predictTreeEnsemble, type TreeEnsembleParams } from '../../server/src/ml/tree-ensemble';
import { binaryProbabilities, softmaxInPlace } from '../../server/src/ml/linear-predict';
import { createRng } from '../../server/src/ml/random';

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

/** The tree-by-tree walk over `TreeParams` that scored ensembles before they were flattened: the oracle for bit-identical results. */
function referencePrediction(p: TreeEnsembleParams, x: FeatureMatrix): Float64Array {
  const n = x.nRows;
  const k = ensembleOutputs(p);
  const raw = new Float64Array(n * k);
  if (p.aggregate === 'sum') for (let i = 0; i < n; i++) for (let o = 0; o < k; o++) raw[i * k + o] = p.base[o];
  p.trees.forEach((tree, t) => {
    for (let i = 0; i < n; i++) {
      let node = 0;
      while (tree.feature[node] >= 0) {
        const v = x.columns[tree.feature[node]][i];
        node = (Number.isNaN(v) ? tree.missingLeft[node] : Math.fround(v) <= tree.threshold[node]) ? tree.left[node] : tree.right[node];
      }
      const leaf = tree.value[node];
      if (p.aggregate === 'sum') raw[i * k + (p.treeOutput?.[t] ?? 0)] += leaf[0];
      else for (let o = 0; o < k; o++) raw[i * k + o] += leaf[o];
    }
  });
  if (p.aggregate === 'average') return raw.map((v) => v / (p.trees.length || 1));
  if (p.link === 'logistic') return binaryProbabilities(raw, n);
  if (p.link === 'softmax') for (let i = 0; i < n; i++) softmaxInPlace(raw, i * k, k);
  return raw;
}

/** The rows repeated to `n` (several scoring blocks), each cell nudged so rows differ, and every 7th cell of a column missing when `holes`. */
function tiled(x: FeatureMatrix, n: number, holes: boolean): FeatureMatrix {
  const columns = x.columns.map((c, j) => Float64Array.from({ length: n }, (_, i) => (holes && (i + j) % 7 === 0 ? NaN : c[i % x.nRows] * (1 + ((i * 31 + j) % 13 - 6) * 1e-3))));
  return { nRows: n, names: x.names, columns };
}

for (const [name, target] of [['wine', 'cultivar'], ['breast_cancer', 'diagnosis'], ['diabetes', 'progression']] as const) {
  for (const algorithm of ALGORITHMS) {
    test(`${algorithm.name} on ${name}: flattened scoring gives bit-identical predictions to the tree-by-tree walk, across blocks and missing values`, () => {
      const { x, y } = load(name, target);
      const model = algorithm.fit(x, y, { trees: 25, rounds: 40 }, { seed: 3 });
      assert.equal(model.params.kind, 'tree-ensemble');
      if (model.params.kind !== 'tree-ensemble') return;
      // The small table first (scored from the parameters), then large ones (flattened), then the small one again (now from the flattened trees).
      for (const input of [x, tiled(x, 5000, false), x, ...(algorithm === gradientBoosting ? [tiled(x, 5000, true)] : [])]) {
        const expected = referencePrediction(model.params, input);
        assert.deepEqual(predictTreeEnsemble(model.params, input), expected);
        if (model.predictProba) assert.deepEqual(model.predictProba(input), expected);
      }
    });
  }
}

test('thresholds that are not float32 (Number.MAX_VALUE, 0.1, 1e40, -1e-50) split float32 inputs as the tree-by-tree walk does, infinities and NaN included', () => {
  const thresholds = [Number.MAX_VALUE, 0.1, 1e40, -1e-50, -0.1, 3];
  const trees = thresholds.map((threshold, t) => ({
    feature: [0, -1, -1], threshold: [threshold, 0, 0], left: [1, -1, -1], right: [2, -1, -1], missingLeft: [t % 2 === 0, true, true], value: [[0], [1 + t], [-1 - t]],
  }));
  const params: TreeEnsembleParams = { kind: 'tree-ensemble', trees, aggregate: 'sum', base: [0], link: 'identity' };
  const probes = [Infinity, -Infinity, NaN, Number.MAX_VALUE, 3.4028234663852886e38, 1e39, 0.1, Math.fround(0.1), 0.1 + 1e-17, 1e40, -0, 0, -1e-50, -1e-46, -1.401298464324817e-45, -0.1, Math.fround(-0.1), 3, 3 + 1e-12];
  // Enough rows that the ensemble is flattened.
  const n = FLATTEN_FROM_ROWS + probes.length;
  const x: FeatureMatrix = { nRows: n, names: ['v'], columns: [Float64Array.from({ length: n }, (_, i) => probes[i % probes.length])] };
  assert.deepEqual(predictTreeEnsemble(params, x), referencePrediction(params, x));
});

test('gradient boosting without a depth limit grows trees deeper than the histogram slots it starts with and equals a depth limit it never reaches', () => {
  const { x, y } = load('diabetes', 'progression');
  const opts = { rounds: 3, min_samples_leaf: 1 };
  const unlimited = gradientBoosting.fit(x, y, { ...opts, max_depth: 0 }, { seed: 1 });
  const limited = gradientBoosting.fit(x, y, { ...opts, max_depth: 60 }, { seed: 1 });
  assert.deepEqual(unlimited.params, limited.params);
  if (unlimited.params.kind !== 'tree-ensemble') throw new Error('not trees');
  const depthOf = (t: TreeEnsembleParams['trees'][number], node = 0): number => (t.left[node] < 0 ? 0 : 1 + Math.max(depthOf(t, t.left[node]), depthOf(t, t.right[node])));
  // Eight histogram slots to start with: a path deeper than that needs the memory to grow.
  assert.ok(depthOf(unlimited.params.trees[0]) > 12, `depth ${depthOf(unlimited.params.trees[0])}`);
});

test('gradient boosting without feature columns fits the constant model (the log-odds of the prior), as logistic regression fits its intercept', () => {
  const y = Int32Array.from({ length: 101 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const model = gradientBoosting.fit({ nRows: 101, names: [], columns: [] }, { task: 'classification', classes: ['0', '1'], y }, { rounds: 3 }, { seed: 1 });
  if (model.params.kind !== 'tree-ensemble') throw new Error('not trees');
  assert.ok(model.params.trees.every((t) => t.feature.length === 1 && t.feature[0] === -1), 'every tree is one leaf');
  const proba = model.predictProba!({ nRows: 2, names: [], columns: [] });
  // 34 of 101 rows are 1; the leaves' values are ~0 (the gradients sum to ~0 at the prior).
  assert.ok(Math.abs(proba[1] - 34 / 101) < 1e-9, `${proba[1]}`);
});

/** A random tree over p features: thresholds from `cuts` (so rows can fall exactly on one), leaves `width` values wide, paths of uneven depth. */
function randomTree(rng: ReturnType<typeof createRng>, p: number, cuts: number[], width: number, maxDepth: number): TreeEnsembleParams['trees'][number] {
  const tree: TreeEnsembleParams['trees'][number] = { feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [] };
  const grow = (depth: number): number => {
    const node = tree.feature.length;
    tree.feature.push(-1); tree.threshold.push(0); tree.left.push(-1); tree.right.push(-1); tree.missingLeft.push(false);
    tree.value.push(Array.from({ length: width }, () => rng.next() * 2 - 1));
    if (depth < maxDepth && (depth < 2 || rng.next() < 0.8)) {
      tree.feature[node] = rng.int(p);
      tree.threshold[node] = cuts[rng.int(cuts.length)];
      tree.missingLeft[node] = rng.next() < 0.5;
      tree.left[node] = grow(depth + 1);
      tree.right[node] = grow(depth + 1);
    }
    return node;
  };
  grow(0);
  return tree;
}

test('the WebAssembly scoring kernel gives bit-identical sums to the tree-by-tree walk on random trees, with rows on the thresholds and missing values', () => {
  const rng = createRng(17);
  const p = 6;
  // float32 cuts that rows hit exactly, and cuts that are not float32 (a row at fround(0.1) is above 0.1 as a double but on it as float32).
  const cuts = [-1, -0.5, 0, 0.25, Math.fround(0.3), 0.1, 0.7, 1e-3, 0.5];
  const n = 3 * 4096 + 7;
  const columns = Array.from({ length: p }, (_, j) => Float64Array.from({ length: n }, (_, i) => {
    const u = rng.next();
    if (u < 0.01 && j === i % p) return NaN;
    if (u < 0.4) return Math.fround(cuts[rng.int(cuts.length)]);
    return rng.next() * 2.4 - 1.2;
  }));
  const x: FeatureMatrix = { nRows: n, names: columns.map((_, j) => `f${j}`), columns };
  const forest = (width: number): TreeEnsembleParams => ({ kind: 'tree-ensemble', trees: Array.from({ length: 30 }, () => randomTree(rng, p, cuts, width, 2 + rng.int(12))), aggregate: 'average', base: [], link: 'identity' });
  const boosting: TreeEnsembleParams = {
    kind: 'tree-ensemble', trees: Array.from({ length: 30 }, () => randomTree(rng, p, cuts, 1, 4)), aggregate: 'sum', base: [0.3, -0.2, 0.1],
    treeOutput: Array.from({ length: 30 }, (_, t) => t % 3), link: 'softmax',
  };
  for (const params of [forest(1), forest(3), boosting]) {
    const expected = referencePrediction(params, x);
    assert.ok(expected.some((v) => v !== expected[0]), 'rows reach different leaves');
    assert.deepEqual(predictTreeEnsemble(params, x), expected);
  }
});
