// The runner's own paths, timed: `preview` of a 10k-row table through a transform chain and a
// split (target < 200 ms, against pandas read_csv + describe in the same run), batch prediction
// with the model's fitted steps (target ≥ 1M rows/s without file I/O; also end to end: read CSV,
// score, write CSV), and single-row latency. Plain TypeScript only; onnxruntime figures are in
// bench/predict.bench.ts (ONNX engineer).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../server/src/checker/check-files';
import { infoOf } from '../server/src/checker/checked-model';
import { createRng } from '../server/src/ml/random';
import { featureMatrix, makeTarget, targetValues, usableRows, subsetMatrix } from '../server/src/runner/model-data';
import { MemoryEngine } from '../server/src/engine/memory-engine';
import { PipelineData } from '../server/src/runner/pipeline-data';
import { predictionCsv } from '../server/src/runner/predict';
import { previewTable } from '../server/src/runner/preview';
import { predictPrepared, type TrainedModel } from '../server/src/runner/scoring';
import { trainModel } from '../server/src/runner/train-model';
import { readCsv } from '../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../server/src/data/csv-options';
import { writeFileAtomic } from '../server/src/store/atomic-write';

function csv(rows: number, seed: number): string {
  const rng = createRng(seed);
  const lines = ['income,age,plan,region,score,signup,churned'];
  for (let i = 0; i < rows; i++) {
    const income = 20 + rng.next() * 80;
    const age = rng.next() < 0.05 ? '' : String(18 + rng.int(60));
    const plan = ['basic', 'plus', 'pro'][rng.int(3)];
    const churned = income + rng.next() * 40 < 60 ? 'yes' : 'no';
    lines.push(`${income.toFixed(2)},${age},${plan},${['north', 'south', 'east', 'west'][rng.int(4)]},${(rng.next() * 10).toFixed(3)},2024-0${1 + rng.int(9)}-1${rng.int(9)},${churned}`);
  }
  return `${lines.join('\n')}\n`;
}

const PIPELINE = `
dataset customers from "customers.csv"
transform prepared from customers {
  drop signup
  impute age with median
  encode plan, region as onehot
  scale income, age, score with standard
  filter score >= 0
}
split parts from prepared { train: 80%, test: 20%, stratify: churned, seed: 1 }
model churn from parts.train {
  target: churned
  algorithm: logistic_regression
}
`;

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-bench-preview-'));
  writeFileSync(join(dir, 'customers.csv'), csv(10_000, 1));
  const file = join(dir, 'p.narml');
  writeFileSync(file, PIPELINE);

  // Preview as the CLI does it: full-schema check, read, steps fitted on the train part, statistics.
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const checked = await checkWithFullSchemas(PIPELINE, file);
    const table = await new PipelineData(checked, new MemoryEngine()).table('parts.train');
    previewTable('parts.train', table, 1000);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const py = spawnSync('/usr/bin/python3', ['-c', `import time, pandas as pd\nt=time.perf_counter(); d=pd.read_csv(${JSON.stringify(join(dir, 'customers.csv'))}); d.describe(include='all'); d.head(1000); print((time.perf_counter()-t)*1000)`], { encoding: 'utf8' });
  const pandas = py.status === 0 ? Number(py.stdout) : NaN;
  console.log(`preview parts.train of a 10k-row table (check + read + 5 steps + split + statistics + 1,000 rows): median ${times[2].toFixed(0)} ms, first ${times.at(-1)!.toFixed(0)} ms (target < 200 ms)${Number.isNaN(pandas) ? '' : `; pandas read_csv + describe + head alone: ${pandas.toFixed(0)} ms (ratio ${(times[2] / pandas).toFixed(2)})`}`);

  // A trained model with its fitted steps, as the runner stores it.
  const checked = await checkWithFullSchemas(PIPELINE, file);
  const data = new PipelineData(checked, new MemoryEngine());
  const info = infoOf(checked, 'churn', 'model')!;
  const fitted = await data.fitChain(data.chain(info.input));
  const x = featureMatrix(fitted.train.table, info.features.map((f) => f.name));
  const y = targetValues(fitted.train.table, info);
  const rows = usableRows(x, y, false, true);
  const outcome = trainModel(info, subsetMatrix(x, rows), makeTarget(info, y, rows), { seed: 42 });
  const tm: TrainedModel = { info, steps: fitted.fitted, model: outcome.model, trainRows: rows.length, options: outcome.options };

  writeFileSync(join(dir, 'incoming.csv'), csv(1_000_000, 2));
  const [big, readMs] = await (async () => { const t = performance.now(); const r = await readCsv(join(dir, 'incoming.csv'), DEFAULT_CSV_OPTIONS); return [r, performance.now() - t] as const; })();
  predictPrepared(tm, big, 'predict');
  const [out, scoreMs] = time(() => predictPrepared(tm, big, 'predict'));
  const [text, csvMs] = time(() => predictionCsv(big, tm, out.pred, out.proba, out.usable));
  const [, writeMs] = time(() => writeFileAtomic(join(dir, 'out', 'scores.csv'), text));
  const n = big.rowCount;
  console.log(`batch prediction, 1M rows, steps (impute, 2 one-hot, 3 scale) + logistic: ${(n / scoreMs * 1000 / 1e6).toFixed(2)}M rows/s (target ≥ 1M rows/s)`);
  console.log(`  end to end: read CSV ${readMs.toFixed(0)} ms + score ${scoreMs.toFixed(0)} ms + format CSV ${csvMs.toFixed(0)} ms + atomic write ${writeMs.toFixed(0)} ms = ${(n / (readMs + scoreMs + csvMs + writeMs) * 1000 / 1e6).toFixed(2)}M rows/s`);

  const one = await readCsv(join(dir, 'customers.csv'), DEFAULT_CSV_OPTIONS).then((t) => ({ ...t, rowCount: 1, columns: t.columns.map((c) => ('codes' in c ? { ...c, codes: c.codes.slice(0, 1) } : { ...c, values: c.values.slice(0, 1) })) }));
  for (let i = 0; i < 200; i++) predictPrepared(tm, one, 'predict');
  const [, singleMs] = time(() => { for (let i = 0; i < 5000; i++) predictPrepared(tm, one, 'predict'); });
  console.log(`single-row prediction with the fitted steps: ${(singleMs / 5000 * 1000).toFixed(0)} µs per row (plain TypeScript; onnxruntime: see predict.bench.ts)`);
}

main().catch((e) => { console.error(e); process.exit(1); });
