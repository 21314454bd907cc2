// All cores: wall time of a 100-tree forest and of a 5-fold cross-validation (as tune and auto
// run it) on 1 thread and on every core, the speed-up, and scikit-learn's with n_jobs=1 and
// n_jobs=-1 on the same rows in the same run. Wall clock, as the point is elapsed time; on a busy
// machine the speed-up is bounded by the idle cores, so the two sides are measured alternately.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { kFoldIndices, scoreFolds } from '../server/src/ml/cross-validation';
import type { FeatureMatrix, Target } from '../server/src/ml/model-types';
import { computeInParallel } from '../server/src/ml/parallel/thread-pool';
import { createRng } from '../server/src/ml/random';
import { getAlgorithm } from '../server/src/ml/registry';

const N = Number(process.env.ROWS ?? 50_000);
const P = 20;
const cores = availableParallelism();

function synthetic(): { x: FeatureMatrix; target: Target; rows: number[][]; y: number[] } {
  const rng = createRng(7);
  const columns = Array.from({ length: P }, () => new Float64Array(N));
  const y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let z = 0;
    for (let j = 0; j < P; j++) { columns[j][i] = rng.next() * 2 - 1; if (j < 8) z += columns[j][i] * (j + 1) / 8; }
    y[i] = z + (rng.next() - 0.5) > 0 ? 1 : 0;
  }
  const rows = Array.from({ length: N }, (_, i) => columns.map((c) => c[i]));
  return { x: { nRows: N, columns, names: columns.map((_, j) => `f${j}`) }, target: { task: 'classification', y, classes: ['0', '1'] }, rows, y: Array.from(y) };
}

function wall(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function withThreads(threads: number, f: () => void): number {
  process.env.NARML_THREADS = String(threads);
  return wall(f);
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const SKLEARN = `
import sys, json, time, numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, StratifiedKFold
d = json.load(sys.stdin); X = np.array(d['x']); y = np.array(d['y'])
out = {}
for jobs in (1, -1):
    t = time.perf_counter(); RandomForestClassifier(n_estimators=100, n_jobs=jobs, random_state=0).fit(X, y); out[f'forest{jobs}'] = time.perf_counter() - t
    t = time.perf_counter(); cross_val_score(RandomForestClassifier(n_estimators=20, random_state=0), X, y, cv=StratifiedKFold(5), n_jobs=jobs); out[f'cv{jobs}'] = time.perf_counter() - t
print(json.dumps(out))
`;

function main(): void {
  const { x, target, rows, y } = synthetic();
  // Start the workers once (from sources they compile through tsx), as a long-lived runner has.
  computeInParallel('cv-fold', Array.from({ length: cores }, () => ({ algorithm: 'naive_bayes', options: {}, x, target, fold: new Int32Array(N), f: 1, metrics: ['accuracy'], seed: 1, positiveIndex: 1 })), () => ({}));
  const forest = (): void => { getAlgorithm('random_forest')!.fit(x, target, { trees: 100 }, { seed: 1 }); };
  const fold = kFoldIndices(N, 5, 1, (target as { y: Int32Array }).y);
  const cv = (): void => { scoreFolds({ algorithm: 'random_forest', options: { trees: 20 }, x, target, fold, metrics: ['accuracy'], seed: 1, positiveIndex: 1 }, 5); };
  const ours: Record<string, { one: number[]; all: number[] }> = { forest: { one: [], all: [] }, cv: { one: [], all: [] } };
  for (let rep = 0; rep < 3; rep++) {
    for (const [name, f] of [['forest', forest], ['cv', cv]] as const) {
      ours[name].one.push(withThreads(1, f));
      ours[name].all.push(withThreads(cores, f));
    }
  }
  const py = spawnSync('/usr/bin/python3', ['-c', SKLEARN], { input: JSON.stringify({ x: rows, y }), encoding: 'utf8', maxBuffer: 1 << 28 });
  const ref = py.status === 0 ? JSON.parse(py.stdout) as Record<string, number> : undefined;
  if (!ref) console.log(`scikit-learn not available: ${py.stderr.trim().split('\n').pop()}`);
  console.log(`${N.toLocaleString()} × ${P}, ${cores} cores, wall seconds (median of 3)`);
  for (const [name, label, key] of [['forest', 'random forest, 100 trees', 'forest'], ['cv', '5-fold cross-validation of a 20-tree forest', 'cv']] as const) {
    const one = median(ours[name].one);
    const all = median(ours[name].all);
    const sk = ref ? ` | scikit-learn n_jobs=1 ${ref[`${key}1`].toFixed(2)} s, n_jobs=-1 ${ref[`${key}-1`].toFixed(2)} s (speed-up ${(ref[`${key}1`] / ref[`${key}-1`]).toFixed(2)}×) | ours on all cores / scikit-learn n_jobs=-1: ${(all / ref[`${key}-1`]).toFixed(2)}×` : '';
    console.log(`${label.padEnd(46)} 1 thread ${one.toFixed(2)} s, ${cores} threads ${all.toFixed(2)} s, speed-up ${(one / all).toFixed(2)}×${sk}`);
  }
}

main();
