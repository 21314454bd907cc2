// Batch prediction end to end, as `predict` runs it: read a 1M-row CSV, prepare it with the
// model's steps, score, format the output CSV and write it atomically (targets: ≥ 1M rows/s for
// logistic regression and gradient boosting, ≥ 0.5M rows/s for a 100-tree forest). Each phase is timed on its own so
// a regression shows where it is. Figures are CPU time of this process (user + system), which a
// machine loaded by other work disturbs far less than the wall clock; the wall clock is printed too.
// Then the real CLI end to end: `narml predict` of the same 1M rows with each model stored by a
// `narml run` (node start-up, check, reading the stored model, and the phases above), its wall
// clock and the CPU time of the process and its threads, beside the reference `node -e 0`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelInfo } from '../server/src/checker/checked-model';
import { DEFAULT_CSV_OPTIONS } from '../server/src/data/csv-options';
import { readCsv } from '../server/src/data/read-csv';
import { createRng } from '../server/src/ml/random';
import type { FeatureMatrix } from '../server/src/ml/model-types';
import { getAlgorithm } from '../server/src/ml/registry';
import { predictionCsv } from '../server/src/runner/predict';
import { predictPrepared, type TrainedModel } from '../server/src/runner/scoring';
import { writeFileAtomic } from '../server/src/store/atomic-write';

const P = 10;
const ROWS = Number(process.env.NARML_BENCH_ROWS ?? 1_000_000);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function label(x: FeatureMatrix, i: number): number {
  return x.columns[0][i] + x.columns[1][i] * x.columns[2][i] > 0 ? 1 : 0;
}

function trainingMatrix(n: number): FeatureMatrix {
  const rng = createRng(1);
  return { nRows: n, names: Array.from({ length: P }, (_, j) => `f${j}`), columns: Array.from({ length: P }, () => Float64Array.from({ length: n }, () => rng.next() * 2 - 1)) };
}

/** A text id and ten numbers of four decimals per row, as measured data usually hold. */
function inputCsv(n: number): string {
  const rng = createRng(2);
  const lines = [`id,${Array.from({ length: P }, (_, j) => `f${j}`).join(',')}`];
  for (let i = 0; i < n; i++) lines.push(`c${i},${Array.from({ length: P }, () => (rng.next() * 2 - 1).toFixed(4)).join(',')}`);
  return `${lines.join('\n')}\n`;
}

/** A workspace whose pipeline trains the three models on 20,000 rows and predicts the big input with each. */
function cliWorkspace(input: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'narml-predict-e2e-'));
  const x = trainingMatrix(20_000);
  const lines = [`id,${x.names.join(',')},label`];
  for (let i = 0; i < x.nRows; i++) lines.push(`t${i},${x.columns.map((c) => c[i].toFixed(4)).join(',')},${label(x, i)}`);
  writeFileSync(join(dir, 'train.csv'), `${lines.join('\n')}\n`);
  const models = [['logistic', 'logistic_regression()'], ['forest', 'random_forest(trees: 100)'], ['boosting', 'gradient_boosting(rounds: 100)']];
  writeFileSync(join(dir, 'bench.narml'), [
    'dataset rows from "train.csv"',
    'transform features from rows {\n  drop id\n}',
    ...models.map(([name, algorithm]) => `model ${name} from features {\n  target: label\n  algorithm: ${algorithm}\n}`),
    ...models.map(([name]) => `predict ${name}_scores with ${name} from ${JSON.stringify(input)} {\n  output: "out/${name}.csv"\n}`),
  ].join('\n\n'));
  return dir;
}

/** Wall clock and CPU time (user + system of the process and its threads) of one command, in ms. */
function timed(args: string[], cwd: string): { wall: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], { cwd, encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [user, system] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wall, cpu: (user + system) * 1000 };
}

function cliFigures(input: string): void {
  const cli = process.env.NARML_BENCH_CLI ?? join(__dirname, '..', 'dist', 'cli.js');
  const dir = cliWorkspace(input);
  try {
    spawnSync(process.execPath, [cli, 'run', 'bench.narml', 'logistic', 'forest', 'boosting'], { cwd: dir, stdio: 'ignore' });
    const node = timed(['-e', '0'], dir);
    console.log(`CLI ${cli}, ${ROWS} rows; reference node -e 0: wall ${node.wall.toFixed(0)} ms, CPU ${node.cpu.toFixed(0)} ms`);
    for (const name of ['logistic', 'forest', 'boosting']) {
      const r = timed([cli, 'predict', 'bench.narml', `${name}_scores`], dir);
      const rate = (ms: number): string => `${(ROWS / ms / 1000).toFixed(2)}M rows/s`;
      console.log(`narml predict ${name.padEnd(9)} wall ${r.wall.toFixed(0)} ms (${rate(r.wall)}; ${(r.wall / node.wall).toFixed(0)}× node -e 0), CPU of all threads ${r.cpu.toFixed(0)} ms (${rate(r.cpu)})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const dir = join(__dirname, '.tmp');
  mkdirSync(dir, { recursive: true });
  const input = join(dir, 'predict-e2e.csv');
  const output = join(dir, 'predict-e2e.out.csv');
  writeFileSync(input, inputCsv(ROWS));
  const train = trainingMatrix(20_000);
  const y = Int32Array.from({ length: train.nRows }, (_, i) => label(train, i));
  const targets = { logistic_regression: 1, random_forest: 0.5, gradient_boosting: 1 };
  for (const [name, options] of [['logistic_regression', {}], ['random_forest', { trees: 100 }], ['gradient_boosting', { rounds: 100 }]] as const) {
    const model = getAlgorithm(name)!.fit(train, { task: 'classification', classes: ['0', '1'], y }, options, { seed: 1 });
    const info = { kind: 'model', name, classes: ['0', '1'], task: 'classification' } as ModelInfo;
    const tm: TrainedModel = { info, steps: [], model, trainRows: train.nRows, options };
    const wall0 = performance.now();
    const t0 = cpuMs();
    const table = await readCsv(input, DEFAULT_CSV_OPTIONS);
    const t1 = cpuMs();
    const out = predictPrepared(tm, table, 'predict');
    const t2 = cpuMs();
    const csv = predictionCsv(table, tm, out.pred, out.proba, out.usable);
    const t3 = cpuMs();
    writeFileAtomic(output, csv);
    const t4 = cpuMs();
    const wall = performance.now() - wall0;
    const rate = (ms: number): string => `${(ROWS / ms / 1000).toFixed(2)}M rows/s`;
    const ratio = ROWS / (t4 - t0) / 1000 / targets[name];
    console.log(`${name.padEnd(20)} end to end ${rate(t4 - t0)} (CPU of all threads; wall clock ${rate(wall)}), ${ratio.toFixed(2)}× the target of ${targets[name]}M rows/s | read ${(t1 - t0).toFixed(0)} ms, score ${(t2 - t1).toFixed(0)} ms, format ${(t3 - t2).toFixed(0)} ms, write ${(t4 - t3).toFixed(0)} ms`);
  }
  rmSync(output);
  cliFigures(input);
  rmSync(input);
}

void main();
