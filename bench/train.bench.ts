// Training time and accuracy vs scikit-learn (single-threaded) on the same data: a synthetic
// 100k × 20 classification set (written to CSV so both read identical rows) and real sample
// data. Prints time ratios (target ≤ 1.5×) and accuracies side by side (target within 0.01).
// Times are CPU times of the fit alone (both sides get their matrices before the clock starts),
// as the shared machine's load makes wall-clock times vary several-fold between runs; the wall
// clock is printed too. ALGORITHMS=a,b limits the run to some of the algorithms.
// Gradient boosting and logistic regression are fitted several times in the same process on both
// sides: the first fit is the figure a user sees (a run trains each model once, in a fresh
// process, so the JIT's warm-up and first allocations count), the median of the later fits shows
// the steady cost apart from them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAlgorithm } from '../server/src/ml/registry';
import { computeMetrics } from '../server/src/ml/metrics';
import { createRng } from '../server/src/ml/random';
import type { FeatureMatrix, Target } from '../server/src/ml/model-types';

// Single-threaded on both sides: bench/parallel.bench.ts measures all cores.
process.env.NARML_THREADS = '1';
const N = Number(process.env.ROWS ?? 100_000);
const P = 20;

function synthetic(path: string): { x: number[][]; y: number[] } {
  const rng = createRng(7);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const w = Array.from({ length: P }, (_, j) => (j < 8 ? gauss() : 0));
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < N; i++) {
    const row = Array.from({ length: P }, () => gauss());
    row[8] = row[0] * row[1] + 0.1 * gauss();
    const z = row.reduce((s, v, j) => s + v * w[j], 0) + 0.8 * row[8] + 0.3 * gauss();
    x.push(row);
    y.push(z > 0 ? 1 : 0);
  }
  if (!existsSync(path)) writeFileSync(path, `${Array.from({ length: P }, (_, j) => `f${j}`).join(',')},y\n${x.map((r, i) => `${r.map((v) => v.toFixed(6)).join(',')},${y[i]}`).join('\n')}\n`);
  return { x: x.map((r) => r.map((v) => Number(v.toFixed(6)))), y };
}

function toMatrix(rows: number[][], idx: number[]): FeatureMatrix {
  return { nRows: idx.length, names: Array.from({ length: P }, (_, j) => `f${j}`), columns: Array.from({ length: P }, (_, j) => Float64Array.from(idx, (i) => rows[i][j])) };
}

interface Timing { seconds: number; wall: number; accuracy: number; later?: number[] }

/** Fits after the first, per algorithm (a forest takes tens of seconds: one fit). */
const LATER_FITS: Record<string, number> = { gradient_boosting: 4, logistic_regression: 8 };

const median = (v: number[]): number => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

function ours(name: string, options: Record<string, number | string>, x: number[][], y: number[]): Timing {
  const n = x.length;
  const train = Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 !== 0);
  const test = Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 === 0);
  const target: Target = { task: 'classification', classes: ['0', '1'], y: Int32Array.from(train, (i) => y[i]) };
  const matrix = toMatrix(x, train);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const model = getAlgorithm(name)!.fit(matrix, target, options, { seed: 1 });
  const cpu = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / 1000;
  const pred = model.predict(toMatrix(x, test));
  const later: number[] = [];
  for (let k = 0; k < (LATER_FITS[name] ?? 0); k++) {
    const c = process.cpuUsage();
    getAlgorithm(name)!.fit(matrix, target, options, { seed: 1 });
    const u = process.cpuUsage(c);
    later.push((u.user + u.system) / 1e6);
  }
  return { later, seconds: (cpu.user + cpu.system) / 1e6, wall, accuracy: computeMetrics(['accuracy'], { task: 'classification', yTrue: Int32Array.from(test, (i) => y[i]), yPred: pred, nClasses: 2 }).accuracy };
}

const SKLEARN = `
import sys, time, json, os
os.environ['OMP_NUM_THREADS'] = '1'
import numpy as np, pandas as pd
from sklearn.ensemble import RandomForestClassifier, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
d = pd.read_csv(sys.argv[1]); X = d.drop(columns=['y']).to_numpy(); y = d['y'].to_numpy()
test = np.arange(len(d)) % 4 == 0
out = {}
only = sys.argv[2].split(',')
later_fits = json.loads(sys.argv[3])
for name, m in [('random_forest', RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0)),
                ('gradient_boosting', HistGradientBoostingClassifier(max_iter=100, max_depth=3, early_stopping=False)),
                ('logistic_regression', LogisticRegression(C=1.0, max_iter=200))]:
    if name not in only: continue
    t = time.perf_counter(); c = time.process_time(); m.fit(X[~test], y[~test]); s = time.process_time() - c; w = time.perf_counter() - t
    later = []
    for _ in range(later_fits.get(name, 0)):
        c = time.process_time(); m.fit(X[~test], y[~test]); later.append(time.process_time() - c)
    out[name] = {'seconds': s, 'wall': w, 'accuracy': float((m.predict(X[test]) == y[test]).mean()), 'later': later}
print(json.dumps(out))
`;

function main(): void {
  const dir = join(__dirname, '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `synthetic-${N}.csv`);
  const { x, y } = synthetic(file);
  const runs = ([['random_forest', { trees: 100 }], ['gradient_boosting', { rounds: 100, max_depth: 3 }], ['logistic_regression', { c: 1, max_iter: 200 }]] as const)
    .filter(([name]) => !process.env.ALGORITHMS || process.env.ALGORITHMS.split(',').includes(name));
  const py = spawnSync('/usr/bin/python3', ['-c', SKLEARN, file, runs.map(([name]) => name).join(','), JSON.stringify(LATER_FITS)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  const ref = py.status === 0 ? JSON.parse(py.stdout) as Record<string, Timing> : undefined;
  if (!ref) console.log(`scikit-learn not available: ${py.stderr.trim().split('\n').pop()}`);
  console.log(`synthetic ${N.toLocaleString()} × ${P}, 75% train`);
  for (const [name, options] of runs) {
    const r = ours(name, options, x, y);
    const s = ref?.[name];
    console.log(`${name.padEnd(20)} narml ${r.seconds.toFixed(2)} s cpu (${r.wall.toFixed(2)} s wall) acc ${r.accuracy.toFixed(4)}${s ? ` | scikit-learn ${s.seconds.toFixed(2)} s cpu (${s.wall.toFixed(2)} s wall) acc ${s.accuracy.toFixed(4)} | cpu time ratio ${(r.seconds / s.seconds).toFixed(2)}× (target ≤ 1.5×), accuracy gap ${(r.accuracy - s.accuracy).toFixed(4)}` : ''}`);
    if (r.later?.length && s?.later?.length) {
      const a = median(r.later), b = median(s.later);
      console.log(`${''.padEnd(20)} later fits in the same process, median of ${r.later.length}: narml ${a.toFixed(3)} s cpu | scikit-learn ${b.toFixed(3)} s cpu | ratio ${(a / b).toFixed(2)}×`);
    }
  }
}

main();
