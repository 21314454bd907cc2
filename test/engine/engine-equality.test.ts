// Engine equality: the DuckDB engine gives the memory engine's tables, rows, fitted parameters
// and metrics, on every sample and on generated data with missing values, rare levels, dates,
// booleans and text, through every step kind the SQL compiler runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import type { CheckedPipeline } from '../../server/src/checker/checked-model';
import type { Column, Table } from '../../server/src/data/table';
import { DuckDbEngine } from '../../server/src/engine/duckdb-engine';
import { MemoryEngine } from '../../server/src/engine/memory-engine';
import { PipelineData } from '../../server/src/runner/pipeline-data';
import { runPipeline } from '../../server/src/runner/run-pipeline';
import type { FittedStep } from '../../server/src/transforms/fitted-step';

const samples = join(__dirname, '..', '..', 'samples');

function cell(c: Column, i: number): number | string | undefined {
  if ('codes' in c) return c.codes[i] < 0 ? undefined : c.levels[c.codes[i]];
  return Number.isNaN(c.values[i]) ? undefined : c.values[i];
}

/** Same names, types, rows and values (numbers to 1e-12 relative: sums run in another order). */
function assertSameTable(a: Table, b: Table, what: string): void {
  assert.deepEqual(b.names, a.names, `${what}: columns`);
  assert.equal(b.rowCount, a.rowCount, `${what}: rows`);
  a.columns.forEach((ca, j) => {
    const cb = b.columns[j];
    assert.equal(cb.type, ca.type, `${what}: type of ${a.names[j]}`);
    if (ca.type === 'category') assert.deepEqual((cb as typeof ca).levels.filter((l) => present(cb, l)), ca.levels.filter((l) => present(ca, l)), `${what}: levels of ${a.names[j]}`);
    for (let i = 0; i < a.rowCount; i++) {
      const x = cell(ca, i);
      const y = cell(cb, i);
      if (typeof x === 'number' && typeof y === 'number') assert.ok(Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(x)), `${what}: ${a.names[j]} row ${i}: ${x} vs ${y}`);
      else assert.equal(y, x, `${what}: ${a.names[j]} row ${i}`);
    }
  });
}

function present(c: Column, level: string): boolean {
  if (!('codes' in c)) return false;
  const k = c.levels.indexOf(level);
  return c.codes.includes(k);
}

/** Fitted steps equal, their numbers to 1e-12 relative. */
function assertSameSteps(a: FittedStep[], b: FittedStep[], what: string): void {
  const round = (s: FittedStep[]): string => JSON.stringify(s, (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v));
  assert.equal(round(b), round(a), `${what}: fitted steps`);
}

async function assertEnginesAgree(checked: CheckedPipeline, tables: string[]): Promise<void> {
  const memory = new PipelineData(checked, new MemoryEngine());
  const duck = new PipelineData(checked, new DuckDbEngine());
  try {
    for (const name of tables) {
      const a = await memory.prepared(name);
      const b = await duck.prepared(name);
      assertSameTable(a.table, b.table, name);
      assert.deepEqual([...b.rowMap], [...a.rowMap], `${name}: raw rows`);
      const chain = memory.chain(name);
      assertSameSteps((await memory.fitChain(chain)).fitted, (await duck.fitChain(duck.chain(name))).fitted, name);
    }
  } finally {
    await duck.engine.close();
  }
}

/** Every transform and split part the pipeline declares. */
function tablesOf(checked: CheckedPipeline): string[] {
  return checked.infos.flatMap((i) => (i?.kind === 'transform' ? [i.name] : i?.kind === 'split' ? i.parts.map((p) => `${i.name}.${p.part}`) : []));
}

for (const sample of readdirSync(samples)) {
  test(`sample ${sample}: DuckDB gives the memory engine's tables, split rows, fitted steps and metrics`, async () => {
    const runs: Record<string, unknown>[] = [];
    const outputs: string[][] = [];
    for (const engine of ['memory', 'duckdb'] as const) {
      const dir = mkdtempSync(join(tmpdir(), `narml-engine-${engine}-`));
      cpSync(join(samples, sample), dir, { recursive: true });
      const file = join(dir, `${sample}.narml`);
      const checked = await checkWithFullSchemas(readFileSync(file, 'utf8'), file);
      if (engine === 'memory') await assertEnginesAgree(checked, tablesOf(checked));
      const run = await runPipeline(checked, { engine, now: new Date('2026-12-07T12:00:00Z'), names: checked.infos.flatMap((i) => (i?.kind === 'evaluate' || i?.kind === 'compare' || i?.kind === 'predict' ? [i.name] : [])) });
      assert.equal(run.status, 'succeeded', run.error);
      runs.push({ evaluations: run.evaluations, comparisons: run.comparisons });
      outputs.push(run.outputs.map((o) => readFileSync(o, 'utf8')));
    }
    assert.deepEqual(outputs[1], outputs[0], `${sample}: prediction files`);
    const [memory, duck] = runs as { evaluations: Record<string, { metrics: Record<string, number> }> }[];
    assert.ok(Object.keys(memory.evaluations).length > 0);
    for (const [name, e] of Object.entries(memory.evaluations)) {
      for (const [metric, v] of Object.entries(e.metrics)) assert.ok(Math.abs(duck.evaluations[name].metrics[metric] - v) <= 1e-9, `${sample} ${name} ${metric}: ${v} vs ${duck.evaluations[name].metrics[metric]}`);
    }
  });
}

/** Seeded rows with missing cells, levels seen once or twice, dates, booleans and text. */
function generatedCsv(rows: number, seed: number): string {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const lines = ['id,x,y,amount,grade,city,flag,day,note,label'];
  const cities = ['Oslo', 'Lima', 'Pune', 'Kyiv', 'Baku'];
  for (let i = 0; i < rows; i++) {
    const miss = (p: number): boolean => next() < p;
    const x = miss(0.1) ? '' : (next() * 20 - 5).toFixed(3);
    const y = miss(0.05) ? 'NA' : String(Math.floor(next() * 7));
    const amount = miss(0.08) ? '' : (next() * 1e4).toFixed(2);
    // Rare grades: "Z" once, "Y" twice; the rest common.
    const grade = i === 17 ? 'Z' : i === 40 || i === 41 ? 'Y' : miss(0.07) ? '' : ['A', 'B', 'C'][Math.floor(next() * 3)];
    const city = miss(0.06) ? '' : i === 99 ? 'Zürich' : cities[Math.floor(next() * cities.length)];
    const flag = miss(0.05) ? '' : next() < 0.4 ? 'true' : 'false';
    const day = miss(0.05) ? '' : new Date(Date.UTC(2020, 0, 1) + Math.floor(next() * 900) * 86_400_000).toISOString().slice(0, 10);
    const note = miss(0.1) ? '' : `"n${Math.floor(next() * 50)}, ${next() < 0.5 ? 'Late' : 'ok'}"`;
    const label = next() < 0.35 ? 'yes' : 'no';
    lines.push([i % 97 === 5 ? i - 1 : i, x, y, amount, grade, city, flag, day, note, label].join(','));
  }
  return `${lines.join('\n')}\n`;
}

const generatedPipeline = `
dataset raw from "gen.csv" {
  columns { grade: category, city: category, note: text }
}

transform cleaned from raw {
  dedupe id
  derive ratio = x / y
  derive wrapped = x % 3
  derive logged = log(amount) + sqrt(abs(x))
  derive rounded = round(x, 1)
  derive capped = min(x, 10, max(y, 2))
  derive month_of = month(day)
  derive weekday_of = weekday(day)
  derive age = days_between(day, date("2023-01-01"))
  derive late = contains(lower(note), "late")
  derive note_len = length(note)
  derive either = coalesce(x, y, 0)
  derive chosen = if(flag, x, -x)
  derive shouting = upper(city)
  filter not (y == 6) or is_missing(y)
  filter day < date("2022-06-01") or is_missing(day)
  impute x with mean
  impute amount with median
  impute grade with mode
  impute city with constant("Unknown")
  impute y with mode
}

split parts from cleaned {
  train: 70%
  test: 20%
  validation: 10%
  stratify: label
  seed: 5
}

transform features from parts.train {
  drop_missing ratio
  clip amount to quantile(0.05, 0.95)
  clip x to [-2, 12]
  encode grade, city, flag as onehot
  scale amount with robust
  scale x with standard
  scale y with minmax
}

transform ranked from raw {
  drop note, day
  encode grade as ordinal
  impute grade with median
}

split plain from raw { train: 80%, test: 20%, seed: 3 }
`;

test('generated data with missing values and rare levels: the engines agree on every table, row and parameter', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-engine-gen-'));
  writeFileSync(join(dir, 'gen.csv'), generatedCsv(600, 42));
  const file = join(dir, 'gen.narml');
  writeFileSync(file, generatedPipeline);
  const checked = await checkWithFullSchemas(generatedPipeline, file);
  assert.deepEqual(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  await assertEnginesAgree(checked, ['cleaned', 'parts.train', 'parts.test', 'parts.validation', 'features', 'ranked', 'plain.train', 'plain.test']);
});

/** Seeded rows for boosting: numbers with more than 255 distinct values (quantile bins), missing cells, three classes and a number to regress. */
function boostingCsv(rows: number, seed: number, withTargets = true): string {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const lines = [withTargets ? 'id,a,b,c,grade,flag,kind,amount' : 'id,a,b,c,grade,flag'];
  for (let i = 0; i < rows; i++) {
    const a = next() * 10 - 5;
    const b = next() * 3;
    const c = Math.floor(next() * 40);
    const grade = next() < 0.05 ? '' : ['A', 'B', 'C', 'D'][Math.floor(next() * 4)];
    const flag = next() < 0.5 ? 'true' : 'false';
    const score = a + 2 * b - (grade === 'A' ? 3 : 0) + next() * 3;
    const cells = [i, next() < 0.08 ? '' : a.toFixed(4), next() < 0.04 ? '' : b.toFixed(5), c, grade, flag];
    if (withTargets) cells.push(i === 11 ? '' : score > 3 ? 'high' : score > 0 ? 'mid' : 'low', (score * 10 + next()).toFixed(3));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

const boostingPipeline = `
dataset rows from "rows.csv"
transform prepared from rows {
  drop id
  impute a, b with median
  encode grade, flag as onehot
  scale a, c with standard
}
split parts from prepared { train: 75%, test: 25%, seed: 4 }
model kinds from parts.train {
  target: kind
  exclude: [amount]
  algorithm: gradient_boosting(rounds: 8, learning_rate: 0.3, max_depth: 3, min_samples_leaf: 5)
}
model amounts from parts.train {
  target: amount
  exclude: [kind]
  algorithm: gradient_boosting(rounds: 6, max_depth: 2)
}
evaluate kinds on parts.test { metrics: [accuracy, f1, roc_auc, log_loss] }
evaluate amounts on parts.test { metrics: [rmse, mae, r2] }
compare kinds, kinds on parts.test { metric: accuracy }
predict all_rows with kinds from "rows.csv" { output: "out/all.csv" }
predict fresh with kinds from "fresh.csv" { output: "out/fresh.csv" }
predict fresh_parquet with amounts from "fresh.csv" { output: "out/fresh.parquet" }
predict tested with amounts from parts.test { output: "out/tested.csv" }
`;

test('DuckDB streams boosting training, evaluation and prediction in chunks that split every part: the same models, metrics and prediction bytes as the memory engine', async () => {
  const calls = { fit: 0, rows: 0, file: 0 };
  const proto = DuckDbEngine.prototype;
  const originals = { fit: proto.fitStepsStreamed, rows: proto.rowsStreamed, file: proto.fileStreamed };
  proto.fitStepsStreamed = function (...a) { calls.fit++; return originals.fit.apply(this, a); };
  proto.rowsStreamed = function (...a) { calls.rows++; return originals.rows.apply(this, a); };
  proto.fileStreamed = async function (...a) { const t = await originals.file.apply(this, a); if (t) calls.file++; return t; };
  // 97-row chunks: boundaries fall inside the training part, the test part and both files.
  const chunk = process.env.NARML_CHUNK_ROWS;
  process.env.NARML_CHUNK_ROWS = '97';
  try {
    const runs: { models: Record<string, { modelHash?: string }>; evaluations: Record<string, { metrics: Record<string, number>; confusion?: unknown }>; comparisons: unknown }[] = [];
    const outputs: Buffer[][] = [];
    for (const engine of ['memory', 'duckdb'] as const) {
      const dir = mkdtempSync(join(tmpdir(), `narml-engine-stream-${engine}-`));
      writeFileSync(join(dir, 'rows.csv'), boostingCsv(1500, 9));
      writeFileSync(join(dir, 'fresh.csv'), boostingCsv(400, 10, false));
      const file = join(dir, 'boost.narml');
      writeFileSync(file, boostingPipeline);
      const checked = await checkWithFullSchemas(boostingPipeline, file);
      assert.deepEqual(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
      const run = await runPipeline(checked, { engine, now: new Date('2026-12-07T12:00:00Z') });
      assert.equal(run.status, 'succeeded', run.error);
      runs.push(run);
      outputs.push(run.outputs.map((o) => readFileSync(o)));
    }
    assert.deepEqual(calls, { fit: 2, rows: 4, file: 3 }, 'trained, evaluated, compared and predicted through the streamed path');
    const [memory, duck] = runs;
    for (const m of ['kinds', 'amounts']) assert.equal(duck.models[m].modelHash, memory.models[m].modelHash, `model ${m}: fitted steps and trees`);
    for (const [name, e] of Object.entries(memory.evaluations)) {
      for (const [metric, v] of Object.entries(e.metrics)) assert.ok(Math.abs(duck.evaluations[name].metrics[metric] - v) <= 1e-9, `${name} ${metric}: ${v} vs ${duck.evaluations[name].metrics[metric]}`);
      assert.deepEqual(duck.evaluations[name].confusion, e.confusion, `${name}: confusion matrix`);
    }
    assert.deepEqual(duck.comparisons, memory.comparisons);
    assert.equal(outputs[1].length, 4);
    outputs[0].forEach((bytes, i) => assert.ok(bytes.equals(outputs[1][i]), `prediction file ${i}: same bytes`));
  } finally {
    Object.assign(proto, { fitStepsStreamed: originals.fit, rowsStreamed: originals.rows, fileStreamed: originals.file });
    if (chunk === undefined) delete process.env.NARML_CHUNK_ROWS; else process.env.NARML_CHUNK_ROWS = chunk;
  }
});
