// `tune: grid(metric: …)` on f1, roc_auc (breast cancer) and rmse (diabetes) agrees with
// scikit-learn's GridSearchCV given the same folds: the test
// runs the pipeline through the built CLI, rebuilds the folds NarML's cross-validation used
// (kFoldIndices with the runner's seed, stratified by class) and passes them to
// test/runner/reference/sklearn_grid_search.py as explicit (train, test) index pairs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { kFoldIndices } from '../../server/src/ml/cross-validation';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, root } from '../helpers/cli';

before(() => { ensureBuilt(); });

/** The seed the runner trains and cross-validates with (run-pipeline.ts). */
const RUN_SEED = 42;
const K = [1, 3, 7, 15, 31];
const FOLDS = 5;

interface TuneCase {
  metric: string;
  /** scikit-learn's scoring name, and the sign that turns its score into NarML's. */
  scoring: string;
  sign: 1 | -1;
  data: string;
  target: string;
  /** The positive class of a classification (the second of the sorted classes). */
  positive?: string;
}

const CASES: TuneCase[] = [
  { metric: 'f1', scoring: 'f1', sign: 1, data: 'breast_cancer', target: 'diagnosis', positive: 'malignant' },
  { metric: 'roc_auc', scoring: 'roc_auc', sign: 1, data: 'breast_cancer', target: 'diagnosis', positive: 'malignant' },
  { metric: 'rmse', scoring: 'neg_root_mean_squared_error', sign: -1, data: 'diabetes', target: 'progression' },
];

for (const c of CASES) {
  test(`grid(metric: ${c.metric}) over knn on ${c.data}: the same fold scores and the same chosen k as GridSearchCV`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'narml-tune-sklearn-'));
    const csv = join(dir, `${c.data}.csv`);
    copyFileSync(join(root, 'test', 'fixtures', 'data', `${c.data}.csv`), csv);
    writeFileSync(join(dir, 'tune.narml'), `dataset d from "${c.data}.csv"
model tuned from d {
  target: ${c.target}
  algorithm: knn
  tune: grid(metric: ${c.metric}) { k: [${K.join(', ')}] }
  cv: ${FOLDS}
}
`);
    const out = narml(['run', 'tune.narml', 'tuned', '--json'], dir);
    assert.equal(out.status, 0, out.stderr);
    const trials = (JSON.parse(out.stdout) as RunJson).models.tuned.trials!;

    // The folds NarML cross-validated with: stratified by class for a classification.
    const labels = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.slice(l.lastIndexOf(',') + 1));
    const y = c.positive ? Int32Array.from(labels, (l) => (l === c.positive ? 1 : 0)) : undefined;
    const fold = kFoldIndices(labels.length, FOLDS, RUN_SEED, y);
    const folds = Array.from({ length: FOLDS }, (_, f) => ({
      train: [...fold.keys()].filter((i) => fold[i] !== f),
      test: [...fold.keys()].filter((i) => fold[i] === f),
    }));
    const caseFile = join(dir, 'case.json');
    writeFileSync(caseFile, JSON.stringify({ csv, target: c.target, task: c.positive ? 'classification' : 'regression', positive: c.positive, k: K, scoring: c.scoring, folds }));
    const py = spawnSync('/usr/bin/python3', [join(__dirname, 'reference', 'sklearn_grid_search.py'), caseFile], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(py.status, 0, py.stderr);
    const ref = JSON.parse(py.stdout) as { k: number[]; folds: number[][]; best_k: number };

    assert.deepEqual(trials.map((t) => t.options.k), ref.k);
    trials.forEach((t, j) => {
      t.folds.forEach((s, i) => assert.ok(Math.abs(s! - c.sign * ref.folds[j][i]) < 1e-9, `k ${ref.k[j]}, fold ${i}: ${s} vs scikit-learn ${c.sign * ref.folds[j][i]}`));
    });
    assert.equal(trials.find((t) => t.chosen)!.options.k, ref.best_k);
  });
}
