// Batch prediction throughput (target ≥ 1M rows/s), single-row latency (target < 1 ms) with
// plain TypeScript and with onnxruntime-node on an exported pipeline, and `preview` of a 10k-row
// table (target < 200 ms).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAlgorithm } from '../server/src/ml/registry';
import { createRng } from '../server/src/ml/random';
import type { FeatureMatrix } from '../server/src/ml/model-types';
import { exportPipelineToOnnx } from '../server/src/export/onnx-export';
import { saveModel } from '../server/src/ml/registry';
import { previewTable } from '../server/src/runner/preview';
import { readCsvText } from '../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../server/src/data/csv-options';

const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
const P = 10;

function matrix(n: number, seed: number): FeatureMatrix {
  const rng = createRng(seed);
  return { nRows: n, names: Array.from({ length: P }, (_, j) => `f${j}`), columns: Array.from({ length: P }, () => Float64Array.from({ length: n }, () => rng.next() * 2 - 1)) };
}

async function main(): Promise<void> {
  const train = matrix(20_000, 1);
  const y = Int32Array.from({ length: train.nRows }, (_, i) => (train.columns[0][i] + train.columns[1][i] * train.columns[2][i] > 0 ? 1 : 0));
  const big = matrix(1_000_000, 2);
  for (const [name, options] of [['logistic_regression', {}], ['random_forest', { trees: 50, max_depth: 10 }], ['gradient_boosting', { rounds: 100 }]] as const) {
    const model = getAlgorithm(name)!.fit(train, { task: 'classification', classes: ['0', '1'], y }, options, { seed: 1 });
    let t = performance.now();
    model.predictProba!(big);
    const ts = (performance.now() - t) / 1000;
    const one = matrix(1, 3);
    for (let i = 0; i < 100; i++) model.predictProba!(one);
    t = performance.now();
    for (let i = 0; i < 2000; i++) model.predictProba!(one);
    const single = (performance.now() - t) / 2000;
    const bytes = exportPipelineToOnnx({ name, inputColumns: train.names.map((n) => ({ name: n, type: 'number', nullable: false })), steps: [], model: saveModel(model) });
    const session = await ort.InferenceSession.create(Buffer.from(bytes));
    const feeds = Object.fromEntries(big.names.map((n, j) => [n, new ort.Tensor('float32', Float32Array.from(big.columns[j]), [big.nRows, 1])]));
    t = performance.now();
    await session.run(feeds);
    const onnx = (performance.now() - t) / 1000;
    const oneFeeds = Object.fromEntries(big.names.map((n, j) => [n, new ort.Tensor('float32', Float32Array.from([big.columns[j][0]]), [1, 1])]));
    for (let i = 0; i < 50; i++) await session.run(oneFeeds);
    t = performance.now();
    for (let i = 0; i < 500; i++) await session.run(oneFeeds);
    const onnxSingle = (performance.now() - t) / 500;
    console.log(`${name.padEnd(20)} TypeScript ${(big.nRows / ts / 1e6).toFixed(2)}M rows/s, one row ${(single * 1000).toFixed(0)} µs | onnxruntime ${(big.nRows / onnx / 1e6).toFixed(2)}M rows/s, one row ${(onnxSingle * 1000).toFixed(0)} µs`);
  }
  const rng = createRng(4);
  const csv = `a,b,c,d,e\n${Array.from({ length: 10_000 }, () => `${rng.next()},${['x', 'y', 'z'][rng.int(3)]},${rng.int(100)},${rng.next() < 0.1 ? '' : rng.next()},2024-01-${String(1 + rng.int(28)).padStart(2, '0')}`).join('\n')}\n`;
  const dir = join(__dirname, '.tmp');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'preview.csv'), csv);
  const t = performance.now();
  const table = readCsvText(csv, DEFAULT_CSV_OPTIONS);
  previewTable('t', table, 1000);
  console.log(`preview of a 10k-row table (parse + statistics + 1,000 rows): ${(performance.now() - t).toFixed(0)} ms (target < 200 ms)`);
}

void main();
